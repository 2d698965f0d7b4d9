import test from 'ava';
import fc from 'fast-check';
import { cookieValue, csrfMatches, newSession, SESSION_SECONDS, verifySession } from '../../src/http/session.js';

const token = 'session-test-token-0123';
const now = 1_795_000_000;

test('a session made with the token verifies until it expires, and gives the same CSRF value back', (t) => {
  const s = newSession(token, now);
  const seen = verifySession(s.cookie, token, now + 60);
  t.deepEqual(seen, { expiry: now + SESSION_SECONDS, csrf: s.csrf });
  t.true(csrfMatches(s.csrf, seen!));
  t.false(csrfMatches(`${s.csrf.slice(0, -1)}x`, seen!));
  t.false(csrfMatches(undefined, seen!));
  t.is(verifySession(s.cookie, token, now + SESSION_SECONDS + 1), null, 'expired');
  t.is(verifySession(s.cookie, 'another-token', now), null, 'a new token ends every session');
});

test('property: a cookie nobody signed never verifies, whatever its shape or claimed expiry', (t) => {
  const forged = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc
      .tuple(
        fc.integer({ min: now, max: now + 2 * SESSION_SECONDS }),
        fc.base64String({ minLength: 44, maxLength: 44 }).map((s) => s.slice(0, 43)),
      )
      .map(([e, m]) => `${e}.${m.replace(/\+/g, '-').replace(/\//g, '_').replace(/=/g, 'A')}`),
  );
  fc.assert(
    fc.property(forged, (value) => {
      t.is(verifySession(value, token, now), null);
    }),
    { numRuns: 2000, seed: 31 },
  );
  // and a real one moved to a later expiry is refused
  const real = newSession(token, now).cookie;
  const [expiry, mac] = real.split('.');
  t.is(verifySession(`${Number(expiry) + 3600}.${mac}`, token, now), null);
});

test('cookieValue reads one cookie among others, and nothing from a header without it', (t) => {
  t.is(cookieValue('a=1; vigil_session=xyz; b=2', 'vigil_session'), 'xyz');
  t.is(cookieValue('vigil_sessionx=1; a=2', 'vigil_session'), undefined);
  t.is(cookieValue(undefined, 'vigil_session'), undefined);
});
