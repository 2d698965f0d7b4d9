import test from 'ava';
import type { HealthFacts } from '../../src/containers/health.js';
import { containerTransitions } from '../../src/containers/transitions.js';
import type { ContainerRecord } from '../../src/docker/types.js';
import { parseInspect, type InspectJson } from '../../src/docker/parse/inspect.js';
import { fixtureJson } from '../helpers/fixtures.js';

const record = (name: string) => parseInspect(fixtureJson<InspectJson>(`engine/inspect-${name}.json`));
/** A container vigil has watched all along; `stopRequestedAt` the kill it saw, if any. */
const watched = (r: ContainerRecord, stopRequestedAt: Date | null = null): HealthFacts => ({
  record: r,
  stopRequestedAt,
  watchedSince: new Date(0),
});

test('a container seen for the first time: state from null and its health', (t) => {
  const events = containerTransitions(undefined, watched(record('fx-plain')));
  t.deepEqual(
    events.map((e) => [e.type, e.data.from, e.data.to]),
    [
      ['container.state', null, 'running'],
      ['container.health', null, 'healthy'],
    ],
  );
  const health = events[1]!;
  t.is(health.type === 'container.health' ? health.data.source : undefined, 'state');
});

test('a health check turning unhealthy carries its streak and last output', (t) => {
  const unhealthy = record('fx-health');
  const healthy = { ...unhealthy, health: { ...unhealthy.health!, status: 'healthy' as const, failingStreak: 0 } };
  const [event] = containerTransitions(watched(healthy), watched(unhealthy));
  t.is(event!.type, 'container.health');
  t.like(event!.data, { from: 'healthy', to: 'unhealthy', source: 'healthcheck' });
  t.true(event!.type === 'container.health' && (event!.data.failingStreak ?? 0) >= 1);
  t.is(event!.container.name, 'fx-health');
});

test('a crash: the state change carries the exit code, and health turns unhealthy', (t) => {
  const running = record('fx-plain');
  const crashed = { ...running, state: 'exited' as const, exitCode: 137, oomKilled: true };
  const events = containerTransitions(watched(running), watched(crashed));
  t.like(events[0]!.data, { from: 'running', to: 'exited', exitCode: 137, oomKilled: true, cause: 'oom-killed' });
  t.like(events[1]!.data, { from: 'healthy', to: 'unhealthy' });
});

test('no change, no event; removal is a state change to removed', (t) => {
  const r = record('fx-plain');
  t.deepEqual(containerTransitions(watched(r), watched(r)), []);
  const removed = containerTransitions(watched(r), undefined);
  t.deepEqual(
    removed.map((e) => [e.type, e.data.to]),
    [['container.state', 'removed']],
  );
});

test("a person's stop: the state change says stopped and health goes to none, never unhealthy", (t) => {
  const running = record('fx-plain');
  const killAt = new Date('2026-11-23T10:00:00Z');
  const stopped = {
    ...running,
    state: 'exited' as const,
    exitCode: 137,
    oomKilled: false,
    finishedAt: new Date(killAt.getTime() + 10_000),
  };
  const events = containerTransitions(watched(running, killAt), watched(stopped, killAt));
  t.like(events[0]!.data, { from: 'running', to: 'exited', exitCode: 137, cause: 'stopped' });
  t.like(events[1]!.data, { from: 'healthy', to: 'none' });
  // started again: from none to healthy, no "healthy again" out of an illness that never was
  const again = containerTransitions(watched(stopped, killAt), watched(running, killAt));
  t.like(again.find((e) => e.type === 'container.health')!.data, { from: 'none', to: 'healthy' });
});

test('the same exit without a kill before it is a crash', (t) => {
  const running = record('fx-plain');
  const crashed = { ...running, state: 'exited' as const, exitCode: 137, oomKilled: false, finishedAt: new Date() };
  const events = containerTransitions(watched(running), watched(crashed));
  t.like(events[0]!.data, { cause: 'crashed' });
  t.like(events[1]!.data, { from: 'healthy', to: 'unhealthy', source: 'state' });
});
