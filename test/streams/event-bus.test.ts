import test from 'ava';
import { EventBus } from '../../src/streams/event-bus.js';

const container = { id: 'abc123def456', name: 'web' };
const report = (reason: string) => ({ type: 'recovery.report' as const, container, data: { reason } });

test('events get increasing ids and reach every listener', (t) => {
  const bus = new EventBus(10, 1);
  const seen: number[] = [];
  bus.on('event', (e) => seen.push(e.id));
  bus.publish(report('a'));
  bus.publish(report('b'));
  t.deepEqual(seen, [1, 2]);
});

test('a client resumes after the last id it saw, without a gap while the ring still holds them', (t) => {
  const bus = new EventBus(3, 1);
  for (let i = 0; i < 3; i++) bus.publish(report(`${i}`));
  const { events, complete } = bus.since(1);
  t.deepEqual(
    events.map((e) => e.id),
    [2, 3],
  );
  t.true(complete);
  t.deepEqual(bus.since(3), { events: [], complete: true });
});

test('a client away longer than the ring holds is told it missed events', (t) => {
  const bus = new EventBus(3, 1);
  for (let i = 0; i < 6; i++) bus.publish(report(`${i}`));
  const { events, complete } = bus.since(1);
  t.false(complete);
  t.deepEqual(
    events.map((e) => e.id),
    [4, 5, 6],
  );
  t.true(bus.since(3).complete, 'ids 4 to 6 are all still there');
});

test('an id this bus never gave (an earlier run of vigil) is a gap, and everything kept is sent', (t) => {
  const bus = new EventBus(5, 100);
  bus.publish(report('x'));
  const { events, complete } = bus.since(5000);
  t.false(complete);
  t.is(events.length, 1);
});

test('by default ids start from the clock, so a restarted vigil continues above its earlier ids', (t) => {
  const before = Date.now() * 1000;
  const id = new EventBus().publish(report('x')).id;
  t.true(id >= before);
});
