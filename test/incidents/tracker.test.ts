import test from 'ava';
import { pino } from 'pino';
import type { Inventory } from '../../src/docker/inventory.js';
import type { ContainerRecord } from '../../src/docker/types.js';
import { IncidentTracker } from '../../src/incidents/tracker.js';
import { troubleOf } from '../../src/incidents/incident.js';
import { openStore, type Db } from '../../src/store/db.js';
import { IncidentStore } from '../../src/store/incidents.js';
import { EventBus } from '../../src/streams/event-bus.js';
import type { VigilEvent, VigilEventType } from '../../src/streams/events.js';
import { someEvent, type SomeData } from '../helpers/events.js';
import { fileTempDirs } from '../helpers/temp-dir.js';

// the file's temp dirs, removed after its last test
const temp = fileTempDirs(test);

const web = { id: 'abc123def456', name: 'web' };
const record = { name: 'web', state: 'running', health: { status: 'healthy' } } as unknown as ContainerRecord;

/** A tracker on a real store; `db` given, it is vigil started again on the store of an earlier run. */
function harness(db: Db = openStore(temp('incidents')), start = '2026-11-23T10:00:00Z') {
  let now = Date.parse(start);
  const bus = new EventBus(100, 1);
  const inventory = { all: () => [{ record }] } as unknown as Inventory;
  const options = { quietMs: 60_000, checkMs: 1_000_000 };
  const store = new IncidentStore(db);
  const tracker = new IncidentTracker(bus, inventory, store, pino({ level: 'silent' }), options, () => now);
  const seen: VigilEvent[] = [];
  tracker.start();
  bus.on('event', (e) => seen.push(e));
  const publish = <T extends VigilEventType>(type: T, data: SomeData<T>) =>
    bus.publish(someEvent(type, data, web), new Date(now));
  return {
    db,
    store,
    tracker,
    seen,
    publish,
    later: (ms: number) => (now += ms),
    check: () => (tracker as unknown as { closeQuiet(): void }).closeQuiet(),
  };
}

test('unhealthy, a restart, healthy again: one incident of three steps, closed once quiet', (t) => {
  const h = harness();
  h.publish('container.health', { from: 'healthy', to: 'unhealthy', source: 'healthcheck' });
  h.later(2000);
  h.publish('recovery.action', { action: 'restart', outcome: 'success', reason: 'unhealthy' });
  h.later(3000);
  h.publish('container.health', { from: 'starting', to: 'healthy' });
  h.later(30_000);
  h.check();
  t.is(h.tracker.list().open.length, 1, 'not quiet long enough yet');
  h.later(31_000);
  h.check();
  const { open, recent } = h.tracker.list();
  t.is(open.length, 0);
  t.is(recent.length, 1);
  t.deepEqual(
    recent[0]!.timeline.map((s) => [s.seq, s.kind]),
    [
      [1, 'seen'],
      [2, 'did'],
      [3, 'recovered'],
    ],
  );
  t.is(recent[0]!.outcome, 'recovered');
  // every event of the incident, and its closing, carry it with their step
  const refs = h.seen.filter((e) => e.incident).map((e) => [e.type, e.incident!.seq, e.incident!.id]);
  t.deepEqual(
    refs.map(([type, seq]) => [type, seq]),
    [
      ['container.health', 1],
      ['recovery.action', 2],
      ['container.health', 3],
      ['incident.closed', 4],
    ],
  );
  t.is(new Set(refs.map((r) => r[2])).size, 1, 'one incident id throughout');
  const closed = h.seen.find((e) => e.type === 'incident.closed')!;
  t.is(closed.data.durationSeconds, 66);
});

test('new trouble while open is a step of the same incident and restarts the quiet period', (t) => {
  const h = harness();
  h.publish('container.state', { from: 'running', to: 'exited', exitCode: 2 });
  h.later(50_000);
  h.publish('alert', { status: 'firing', alertname: 'WebDown' });
  h.later(20_000);
  h.check();
  t.is(h.tracker.list().open.length, 1);
  t.deepEqual(
    h.tracker.list().open[0]!.timeline.map((s) => s.what),
    ['crashed (exit code 2)', 'alert WebDown firing'],
  );
});

test('a stop, a finished job and a healthy turn open nothing', (t) => {
  const h = harness();
  h.publish('container.state', { from: 'running', to: 'exited', exitCode: 143 });
  h.publish('container.state', { from: 'running', to: 'exited', exitCode: 0 });
  h.publish('container.health', { from: 'starting', to: 'healthy' });
  h.publish('recovery.action', { action: 'restart', outcome: 'success' });
  t.deepEqual(h.tracker.list(), { open: [], recent: [] });
  t.is(
    troubleOf({ id: 1, type: 'recovery.started', time: '', container: web, data: { action: 'restart', reason: 'r' } }),
    null,
  );
});

test('giving up closes the incident as given up', (t) => {
  const h = harness();
  h.publish('container.health', { to: 'unhealthy' });
  h.publish('recovery.gave_up', { attempts: 5 });
  t.is(h.tracker.list().recent[0]!.outcome, 'gave_up');
});

test('an incident open when vigil stops goes on after it starts: same id, next step, its quiet period kept', (t) => {
  const first = harness();
  first.publish('container.state', { from: 'running', to: 'exited', exitCode: 3 });
  first.later(1000);
  first.publish('recovery.action', { action: 'start', outcome: 'success', reason: 'crashed' });
  first.tracker.stop();
  const before = first.tracker.list().open[0]!;

  const second = harness(first.db, '2026-11-23T10:00:20Z');
  t.deepEqual(second.tracker.list().open, [before], 'read back whole');
  second.publish('container.health', { from: 'starting', to: 'healthy' });
  t.deepEqual(second.seen.at(-1)!.incident, { id: before.id, seq: 3, subject: before.subject });
  second.later(41_000); // 61 s after the crash, 41 s after the restart: quiet long enough
  second.check();
  t.is(second.tracker.list().recent[0]!.id, before.id);
  t.deepEqual(
    second.tracker.list().recent[0]!.timeline.map((s) => s.kind),
    ['seen', 'did', 'recovered'],
  );

  const third = harness(first.db);
  t.deepEqual(third.tracker.list().open, []);
  t.is(third.tracker.list().recent[0]!.outcome, 'recovered', 'closed incidents are listed after a restart too');
});

test('closed incidents past the retention are pruned, open ones never', (t) => {
  const h = harness();
  h.publish('container.health', { to: 'unhealthy' });
  h.publish('recovery.gave_up', { attempts: 5 });
  h.tracker.stop();
  const other = harness(h.db);
  other.publish('container.state', { from: 'running', to: 'exited', exitCode: 1 });
  const far = Date.parse('2026-12-31T00:00:00Z');
  t.is(other.store.prune(far), 1);
  t.deepEqual(other.store.recent(10), []);
  t.is(other.store.open().length, 1);
});

test('a store that refuses writes costs durability, not the incident', (t) => {
  const h = harness();
  h.db.pragma('query_only = ON');
  h.publish('container.health', { to: 'unhealthy' });
  t.is(h.tracker.list().open.length, 1);
  t.truthy(h.seen.at(-1)!.incident);
  t.deepEqual(h.store.open(), [], 'nothing reached the store');
});

test("a spike's incident tells only its own story: a HEALTHCHECK passing is no recovery of it, its resource back to normal is", (t) => {
  const h = harness();
  h.publish('resource.spike', { resource: 'cpu', percent: 97, level: 'critical' });
  h.publish('container.health', { from: 'starting', to: 'healthy', source: 'healthcheck' });
  h.publish('resource.normal', { resource: 'memory', percent: 10, level: 'normal' });
  h.publish('resource.normal', { resource: 'cpu', percent: 12, level: 'normal' });
  const [open] = h.tracker.list().open;
  t.deepEqual(
    open!.timeline.map((s) => [s.kind, s.what]),
    [
      ['seen', 'cpu at 97 % of its limit (critical)'],
      ['recovered', 'cpu back to normal'],
    ],
  );
  const normal = h.seen.filter((e) => e.type === 'resource.normal').map((e) => e.incident?.seq);
  t.deepEqual(normal, [1, 2], 'the memory reading is about the incident, but no step of it');
});

test('a stop with `docker stop` ends the open incident as stopped once it has stood past the engine-shutdown window', (t) => {
  let now = Date.parse('2026-11-23T10:00:00Z');
  const stopped = { ...record, state: 'exited', health: null } as unknown as ContainerRecord;
  let current = record;
  let personStoppedAt: number | null = null;
  const bus = new EventBus(100, 1);
  const inventory = { all: () => [{ record: current }] } as unknown as Inventory;
  const options = { quietMs: 60_000, checkMs: 1_000_000, personStoppedAt: () => personStoppedAt, settleMs: 30_000 };
  const tracker = new IncidentTracker(
    ...([bus, inventory, new IncidentStore(openStore(temp('incidents'))), pino({ level: 'silent' })] as const),
    options,
    () => now,
  );
  tracker.start();
  const check = () => (tracker as unknown as { closeQuiet(): void }).closeQuiet();
  bus.publish(someEvent('container.health', { from: 'healthy', to: 'unhealthy', source: 'healthcheck' }, web));
  // the container is down and nobody's stop is known: it stays open (a crash waits for the medic)
  current = stopped;
  now += 120_000;
  check();
  t.is(tracker.list().open.length, 1);
  personStoppedAt = now;
  now += 29_000;
  check();
  t.is(tracker.list().open.length, 1, 'within the window the stop may still be the engine shutting down');
  now += 2_000;
  check();
  t.deepEqual(
    tracker.list().recent.map((i) => i.outcome),
    ['stopped'],
  );
});

test("a spike's incident stays open while the spike lasts, however quiet, and closes once quiet after its end", (t) => {
  const h = harness();
  h.publish('resource.spike', { resource: 'memory', percent: 93, level: 'critical' });
  h.later(10 * 60_000);
  h.check();
  t.is(h.tracker.list().open.length, 1, 'ten quiet minutes into the spike, still open');
  h.publish('resource.normal', { resource: 'memory', percent: 40, level: 'normal' });
  h.check();
  t.is(h.tracker.list().open.length, 1, 'the quiet period counts from the spike, but the end is new');
  h.later(61_000);
  h.check();
  t.deepEqual(
    h.tracker.list().recent.map((i) => i.outcome),
    ['recovered'],
  );
});

test('a spike that lasted through a restart of vigil does not hold its incident open: the spike watch starts afresh', (t) => {
  const first = harness();
  first.publish('resource.spike', { resource: 'cpu', percent: 99, level: 'critical' });
  first.tracker.stop();
  const second = harness(first.db, '2026-11-23T10:05:00Z');
  second.check();
  t.is(second.tracker.list().recent[0]?.outcome, 'recovered');
});

test("a health incident recovers by healthy, once per trouble; a resource's return to normal is not its story", (t) => {
  const h = harness();
  h.publish('container.health', { from: 'healthy', to: 'unhealthy', source: 'healthcheck' });
  h.publish('resource.normal', { resource: 'cpu', percent: 5, level: 'normal' });
  h.publish('alert', { status: 'resolved', alertname: 'WebDown' });
  h.publish('recovery.action', { action: 'restart', outcome: 'success', reason: 'unhealthy' });
  h.publish('container.health', { from: 'starting', to: 'healthy', source: 'healthcheck' });
  h.publish('container.health', { from: 'healthy', to: 'healthy', source: 'healthcheck' });
  h.publish('alert', { status: 'firing', alertname: 'WebDown' });
  h.publish('alert', { status: 'resolved', alertname: 'WebDown' });
  t.deepEqual(
    h.tracker.list().open[0]!.timeline.map((s) => [s.kind, s.what]),
    [
      ['seen', 'unhealthy'],
      ['did', 'restart success: unhealthy'],
      ['recovered', 'healthy again'],
      ['seen', 'alert WebDown firing'],
      ['recovered', 'alert WebDown resolved'],
    ],
  );
});

test('a crash with no exit code known opens an incident that says so, not "exit code undefined"', (t) => {
  const h = harness();
  h.publish('container.state', { from: 'running', to: 'dead', cause: 'crashed' });
  t.is(h.tracker.list().open[0]!.subject, 'web: crashed');
});

test('an incident stored before its steps said their concern still takes signs of recovery', (t) => {
  const first = harness();
  first.publish('container.health', { to: 'unhealthy' });
  first.tracker.stop();
  const stored = first.store.open()[0]!;
  first.store.put({ ...stored, timeline: stored.timeline.map(({ concern: _, ...step }) => step) });
  const second = harness(first.db);
  second.publish('container.health', { from: 'starting', to: 'healthy' });
  t.deepEqual(
    second.tracker.list().open[0]!.timeline.map((s) => s.kind),
    ['seen', 'recovered'],
  );
});

test("a person's stop through vigil ends the open incident as stopped; their restart, or a failed stop, does not", (t) => {
  const h = harness();
  h.publish('container.state', { from: 'running', to: 'exited', exitCode: 1 });
  h.publish('recovery.action', {
    action: 'restart',
    outcome: 'success',
    reason: 'asked by a person (page)',
    by: 'page',
  });
  h.publish('recovery.action', { action: 'stop', outcome: 'failure', reason: 'asked by a person (api)', by: 'api' });
  t.is(h.tracker.list().open.length, 1);
  h.publish('recovery.action', { action: 'stop', outcome: 'success', reason: 'asked by a person (page)', by: 'page' });
  const { open, recent } = h.tracker.list();
  t.deepEqual(open, []);
  t.like(recent[0], { outcome: 'stopped' });
  t.deepEqual(
    recent[0]!.timeline.map((s) => s.what),
    [
      'crashed (exit code 1)',
      'restart success: asked by a person (page)',
      'stop failure: asked by a person (api)',
      'stop success: asked by a person (page)',
    ],
  );
  t.like(
    h.seen.find((e) => e.type === 'incident.closed'),
    { data: { outcome: 'stopped', steps: 4 } },
  );
  t.is(h.store.open().length, 0, 'closed in the store too');
});
