import test from 'ava';
import fc from 'fast-check';
import {
  advanceResumePoint,
  parseEngineEventLine,
  secondsParam,
  sinceParam,
  startOfStream,
} from '../../../src/docker/parse/events.js';
import { fixtureText } from '../../helpers/fixtures.js';

const lines = fixtureText('engine/events.jsonl')
  .split('\n')
  .filter((l) => l.trim() !== '');
const events = lines.map((l) => parseEngineEventLine(l));

test('health probe exec events are dropped; lifecycle events are kept in order', (t) => {
  const kept = events.filter((e) => e !== null);
  t.true(kept.length < lines.length);
  t.false(kept.some((e) => e.action.startsWith('exec')));
  const plain = kept.filter((e) => e.name === 'fx-plain').map((e) => e.action);
  t.deepEqual(plain.slice(0, 2), ['create', 'start']);
});

test('health_status events carry the new status', (t) => {
  const health = events.filter((e) => e?.action === 'health_status').map((e) => e!.healthStatus);
  t.deepEqual(health.slice(0, 3), ['unhealthy', 'healthy', 'unhealthy']);
});

test('die carries the exit code and kill the signal', (t) => {
  const die = events.find((e) => e?.action === 'die' && e.name === 'fx-exited');
  t.is(die?.exitCode, 3);
  const kill = events.find((e) => e?.action === 'kill' && e.name === 'fx-limited');
  t.is(kill?.signal, 15);
});

test('docker restart shows as kill, die, stop, start, restart', (t) => {
  const limited = events.filter((e) => e?.name === 'fx-limited').map((e) => e!.action);
  t.deepEqual(limited.slice(-6), ['kill', 'kill', 'die', 'stop', 'start', 'restart']);
});

test('destroy is recorded', (t) => {
  t.true(events.some((e) => e?.action === 'destroy' && e.name === 'fx-created'));
});

test('the nanosecond time is read exactly from the text, beyond what a JSON number holds', (t) => {
  const line = lines[0]!;
  const exact = /"timeNano":(\d+)/.exec(line)![1]!;
  t.is(events[0]!.timeNano.toString(), exact);
});

test('since is seconds with a nine-digit fraction', (t) => {
  t.is(sinceParam(1795327147000000042n), '1795327147.000000042');
});

test('a line that is not JSON throws; another type of event is ignored', (t) => {
  t.throws(() => parseEngineEventLine('{not json'));
  t.is(parseEngineEventLine('{"Type":"network","Action":"connect","Actor":{"ID":"n"},"timeNano":1}'), null);
});

const ev = (id: string, action: 'create' | 'start', timeNano: bigint) => ({
  id,
  action,
  name: id,
  attributes: {},
  timeNano,
});

test('after a reconnection, events repeated at the resume instant are replays', (t) => {
  let point = startOfStream;
  for (const e of [ev('a', 'create', 10n), ev('b', 'create', 20n), ev('c', 'create', 20n)])
    point = advanceResumePoint(point, e).point;
  // the engine repeats everything at since=20
  t.true(advanceResumePoint(point, ev('b', 'create', 20n)).replay);
  t.true(advanceResumePoint(point, ev('c', 'create', 20n)).replay);
  t.false(advanceResumePoint(point, ev('d', 'create', 20n)).replay, 'a new event at the same instant');
  t.false(advanceResumePoint(point, ev('b', 'start', 21n)).replay);
});

test('live events slightly out of time order are all delivered', (t) => {
  let point = startOfStream;
  const delivered: string[] = [];
  for (const e of [ev('a', 'create', 30n), ev('b', 'create', 10n), ev('c', 'create', 20n), ev('d', 'create', 40n)]) {
    const step = advanceResumePoint(point, e);
    point = step.point;
    if (!step.replay) delivered.push(e.id);
  }
  t.deepEqual(delivered, ['a', 'b', 'c', 'd']);
  t.is(point.timeNano, 40n, 'the resume point is the newest time, not the last one seen');
});

test('property: any JSON line is either not a container event (null) or one with an id, a known action and an exact time', (t) => {
  const actions = ['create', 'start', 'die', 'kill', 'destroy', 'health_status: healthy', 'exec_start: sh', 'x', ''];
  const eventArb = fc.record(
    {
      Type: fc.constantFrom('container', 'image', 'network', ''),
      Action: fc.oneof(fc.constantFrom(...actions), fc.string({ maxLength: 20 })),
      Actor: fc.record(
        {
          ID: fc.oneof(fc.hexaString({ minLength: 1, maxLength: 64 }), fc.string()),
          Attributes: fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 })),
        },
        { requiredKeys: [] },
      ),
      time: fc.integer({ min: 0, max: 2 ** 33 }),
      timeNano: fc.bigInt({ min: 0n, max: 2n ** 63n }),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(fc.oneof(eventArb, fc.jsonValue()), (json) => {
      const line = JSON.stringify(json, (_k, v: unknown) => (typeof v === 'bigint' ? `__${v}__` : v)).replace(
        /"__(\d+)__"/g,
        '$1',
      );
      const event = parseEngineEventLine(line);
      if (event === null) return;
      t.truthy(event.id);
      t.regex(
        event.action,
        /^(create|start|restart|stop|kill|die|oom|pause|unpause|destroy|rename|update|health_status)$/,
      );
      const exact = /"timeNano":(\d+)/.exec(line)?.[1];
      if (exact) t.is(event.timeNano, BigInt(exact), 'nanoseconds past 2^53 survive');
    }),
    { numRuns: 1000, seed: 11 },
  );
});

test('property: time parameters are plain decimals that read back as the time given (never 1e-7)', (t) => {
  fc.assert(
    fc.property(fc.double({ min: 0, max: 1e11, noNaN: true }), (seconds) => {
      const text = secondsParam(seconds);
      t.regex(text, /^\d+(\.\d{9})?$/);
      t.true(Math.abs(Number(text) - seconds) < 1e-6 * Math.max(1, seconds));
    }),
    { numRuns: 2000, seed: 3 },
  );
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 2n ** 63n }), (nano) => {
      const text = sinceParam(nano);
      t.regex(text, /^\d+\.\d{9}$/);
      t.is(BigInt(text.replace('.', '')), nano);
    }),
    { numRuns: 2000, seed: 4 },
  );
});
