import test from 'ava';
import fc from 'fast-check';
import { HttpError } from '../../../src/http/errors.js';
import { parseLastEventId, parseLogsQuery } from '../../../src/http/routes/streams.js';

test('logs query: defaults, all, numbers up to the cap, booleans and since', (t) => {
  t.deepEqual(parseLogsQuery({}, 1000, 100), { tail: 100, follow: false });
  t.deepEqual(parseLogsQuery({ tail: 'all', follow: 'true' }, 1000, 100), { tail: 'all', follow: true });
  t.deepEqual(parseLogsQuery({ tail: '0', follow: '0' }, 1000, 100), { tail: 0, follow: false });
  t.deepEqual(parseLogsQuery({ tail: '1000' }, 1000, 100), { tail: 1000, follow: false });
  t.is(parseLogsQuery({ since: '1795327147.5' }, 1000, 100).sinceSeconds, 1795327147.5);
  t.is(
    parseLogsQuery({ since: '2026-11-22T06:00:00Z' }, 1000, 100).sinceSeconds,
    Date.parse('2026-11-22T06:00:00Z') / 1000,
  );
  t.is(parseLogsQuery({}, 50, 100).tail, 50, 'the default never exceeds the cap');
});

test('logs query: every bad value is a 400 naming the parameter', (t) => {
  for (const [query, name] of [
    [{ tail: '-1' }, 'tail'],
    [{ tail: '1001' }, 'tail'],
    [{ tail: 'ten' }, 'tail'],
    [{ tail: '1.5' }, 'tail'],
    [{ follow: 'yes' }, 'follow'],
    [{ since: 'yesterday' }, 'since'],
    [{ tail: ['1', '2'] }, 'tail'],
  ] as const) {
    const err = t.throws(() => parseLogsQuery(query as Record<string, string | string[]>, 1000, 100), {
      instanceOf: HttpError,
    });
    t.is(err.status, 400);
    t.true(err.message.includes(name), err.message);
  }
});

test('Last-Event-ID from the header or the query; garbage is a 400', (t) => {
  t.is(parseLastEventId('42', undefined), 42);
  t.is(parseLastEventId(undefined, '7'), 7);
  t.is(parseLastEventId(undefined, undefined), undefined);
  t.is(t.throws(() => parseLastEventId('abc', undefined), { instanceOf: HttpError }).status, 400);
});

test('property: any logs query is either a valid request within the caps or a 400 naming the parameter', (t) => {
  const value = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.constantFrom('all', 'true', 'false', '1', '0', '1e-7', '0.0000001', '-1', '99999999999', '2026-11-23T10:00:00Z'),
  );
  const query = fc.record({ tail: value, follow: value, since: value, x: value }, { requiredKeys: [] });
  fc.assert(
    fc.property(query, (q) => {
      try {
        const parsed = parseLogsQuery(q, 1000, 100);
        t.true(parsed.tail === 'all' || (Number.isInteger(parsed.tail) && parsed.tail >= 0 && parsed.tail <= 1000));
        if (parsed.sinceSeconds !== undefined) t.true(Number.isFinite(parsed.sinceSeconds) && parsed.sinceSeconds >= 0);
      } catch (err) {
        t.true(err instanceof HttpError);
        t.is((err as HttpError).status, 400);
        t.regex((err as HttpError).message, /^(tail|follow|since|query parameter)/);
      }
    }),
    { numRuns: 2000, seed: 12 },
  );
});
