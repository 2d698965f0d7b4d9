import test from 'ava';
import type { Inventory } from '../../src/docker/inventory.js';
import type { ContainerRecord } from '../../src/docker/types.js';
import { IncidentTracker } from '../../src/incidents/tracker.js';
import { troubleOf } from '../../src/incidents/incident.js';
import { EventBus, type VigilEvent } from '../../src/streams/event-bus.js';

const web = { id: 'abc123def456', name: 'web' };
const record = { name: 'web', state: 'running', health: { status: 'healthy' } } as unknown as ContainerRecord;

function harness() {
  let now = Date.parse('2026-11-23T10:00:00Z');
  const bus = new EventBus(100, 1);
  const inventory = { all: () => [{ record }] } as unknown as Inventory;
  const tracker = new IncidentTracker(bus, inventory, { quietMs: 60_000, checkMs: 1_000_000 }, () => now);
  const seen: VigilEvent[] = [];
  tracker.start();
  bus.on('event', (e) => seen.push(e));
  const publish = (type: string, data: Record<string, unknown>) =>
    bus.publish({ type, container: web, data }, new Date(now));
  return {
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
  t.is(troubleOf({ id: 1, type: 'x', time: '', data: {} }), null);
});

test('giving up closes the incident as given up', (t) => {
  const h = harness();
  h.publish('container.health', { to: 'unhealthy' });
  h.publish('recovery.gave_up', { attempts: 5 });
  t.is(h.tracker.list().recent[0]!.outcome, 'gave_up');
});
