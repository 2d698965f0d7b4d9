import test from 'ava';
import fc from 'fast-check';
import {
  applyMessage,
  parseClientMessage,
  reaches,
  refusal,
  sameOrigin,
  topics,
  type Subscription,
} from '../../../src/http/ws/protocol.js';

const empty: Subscription = { topics: new Set(), containers: new Set() };

test('subscribe adds topics and containers; unsubscribe takes them away; a leading slash is a name', (t) => {
  const parsed = parseClientMessage('{"type":"subscribe","topics":["events","health"],"containers":["/web","3f2a"]}');
  t.true(parsed.ok);
  const sub = applyMessage(empty, parsed.ok ? parsed.message : (undefined as never));
  t.deepEqual([...sub.topics].sort(), ['events', 'health']);
  t.deepEqual([...sub.containers].sort(), ['3f2a', 'web']);
  const off = parseClientMessage('{"type":"unsubscribe","topics":["events"],"containers":["web"]}');
  const after = applyMessage(sub, off.ok ? off.message : (undefined as never));
  t.deepEqual([...after.topics], ['health']);
  t.deepEqual([...after.containers], ['3f2a']);
});

test('events reach a subscriber by name, by full id or by a prefix of the short id; health reaches every subscriber of it', (t) => {
  const sub: Subscription = {
    topics: new Set(['events', 'health']),
    containers: new Set(['web', `abcdef123456${'0'.repeat(52)}`, '99']),
  };
  t.true(reaches(sub, 'events', { id: '111111111111', name: 'web' }));
  t.true(reaches(sub, 'events', { id: 'abcdef123456', name: 'other' }), 'a full id reaches its short id');
  t.true(reaches(sub, 'events', { id: '99aa00000000', name: 'x' }), 'a prefix');
  t.false(reaches(sub, 'events', { id: '222222222222', name: 'db' }));
  t.true(reaches(sub, 'health'));
  t.false(reaches(sub, 'stats', { id: '111111111111', name: 'web' }), 'not subscribed to stats');
  t.true(
    reaches({ topics: new Set(['events']), containers: new Set() }, 'events', { id: 'x', name: 'y' }),
    'no filter: all',
  );
});

test('property: any client text is a message or a named problem, never a throw, and a valid one round-trips', (t) => {
  const valid = fc.record(
    {
      type: fc.constantFrom('subscribe', 'unsubscribe'),
      topics: fc.uniqueArray(fc.constantFrom(...topics), { minLength: 1 }),
      containers: fc.array(fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,20}$/), { maxLength: 5 }),
    },
    { requiredKeys: ['type', 'topics'] },
  );
  const text = fc.oneof(
    valid.map((v) => JSON.stringify(v)),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }),
    fc.record({ type: fc.string(), topics: fc.array(fc.string()), extra: fc.anything() }).map((v) => JSON.stringify(v)),
  );
  fc.assert(
    fc.property(text, (s) => {
      const parsed = parseClientMessage(s);
      if (parsed.ok) {
        t.true(parsed.message.type === 'subscribe' || parsed.message.type === 'unsubscribe');
        t.true(parsed.message.topics.every((x) => (topics as readonly string[]).includes(x)));
      } else t.regex(parsed.problem, /\S/);
    }),
    { numRuns: 2000, seed: 13 },
  );
});

test('a browser from another origin may not open the socket; one from this host, or a client with no Origin, may', (t) => {
  t.true(sameOrigin(undefined, '127.0.0.1:9323'));
  t.true(sameOrigin('http://127.0.0.1:9323', '127.0.0.1:9323'));
  t.false(sameOrigin('http://evil.example', '127.0.0.1:9323'));
  t.false(sameOrigin('http://127.0.0.1:9324', '127.0.0.1:9323'));
  t.false(sameOrigin('null', '127.0.0.1:9323'));
  t.regex(
    refusal(403, 'no'),
    /^HTTP\/1\.1 403 Forbidden\r\n[\s\S]*\r\n\r\n\{"error":\{"status":403,"message":"no"\}\}$/,
  );
});
