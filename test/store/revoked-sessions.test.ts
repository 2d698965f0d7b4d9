import test from 'ava';
import { authenticated } from '../../src/http/auth.js';
import { newSession, SESSION_COOKIE } from '../../src/http/session.js';
import { openStore } from '../../src/store/db.js';
import { RevokedSessionStore } from '../../src/store/revoked-sessions.js';
import { tempDir } from '../helpers/temp-dir.js';

const token = 'a-token-of-sixteen-chars';

test('a signed-out cookie is refused, also by a vigil started again on the same store', (t) => {
  const dir = tempDir(t, 'sessions');
  const now = Date.now() / 1000;
  const kept = newSession(token, now);
  const gone = newSession(token, now - 10);
  const db = openStore(dir);
  const sessions = new RevokedSessionStore(db);
  const as = (cookie: string, s = sessions) => authenticated({ cookie: `${SESSION_COOKIE}=${cookie}` }, token, s);
  t.is(as(gone.cookie)?.by, 'session');
  sessions.revoke(gone.cookie, gone.expiry);
  t.is(as(gone.cookie), null);
  t.is(as(kept.cookie)?.by, 'session', 'another session is untouched');
  db.close();

  const again = openStore(dir);
  t.teardown(() => again.close());
  const restarted = new RevokedSessionStore(again);
  t.is(as(gone.cookie, restarted), null, 'the restart does not bring it back');
  t.is(as(kept.cookie, restarted)?.by, 'session');
  const stored = again.prepare('SELECT id FROM revoked_sessions').pluck().all() as string[];
  t.false(
    stored.some((id) => gone.cookie.includes(id) || id.includes(gone.cookie)),
    'only a hash is kept',
  );
});

test('revocations past their expiry are forgotten', (t) => {
  const db = openStore(tempDir(t, 'sessions'));
  t.teardown(() => db.close());
  let now = 1_000_000;
  const sessions = new RevokedSessionStore(db, () => now);
  sessions.revoke('a', now + 10);
  now += 11;
  sessions.revoke('b', now + 10);
  t.false(sessions.revoked('a'));
  t.true(sessions.revoked('b'));
  t.is(db.prepare('SELECT count(*) FROM revoked_sessions').pluck().get(), 1);
});
