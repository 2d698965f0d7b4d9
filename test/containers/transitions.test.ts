import test from 'ava';
import { containerTransitions } from '../../src/containers/transitions.js';
import { parseInspect, type InspectJson } from '../../src/docker/parse/inspect.js';
import { fixtureJson } from '../helpers/fixtures.js';

const record = (name: string) => parseInspect(fixtureJson<InspectJson>(`engine/inspect-${name}.json`));

test('a container seen for the first time: state from null and its health', (t) => {
  const events = containerTransitions(undefined, record('fx-plain'));
  t.deepEqual(
    events.map((e) => [e.type, e.data.from, e.data.to]),
    [
      ['container.state', null, 'running'],
      ['container.health', null, 'healthy'],
    ],
  );
  t.is(events[1]!.data.source, 'state');
});

test('a health check turning unhealthy carries its streak and last output', (t) => {
  const unhealthy = record('fx-health');
  const healthy = { ...unhealthy, health: { ...unhealthy.health!, status: 'healthy' as const, failingStreak: 0 } };
  const [event] = containerTransitions(healthy, unhealthy);
  t.is(event!.type, 'container.health');
  t.like(event!.data, { from: 'healthy', to: 'unhealthy', source: 'healthcheck' });
  t.true((event!.data.failingStreak as number) >= 1);
  t.is(event!.container!.name, 'fx-health');
});

test('a crash: the state change carries the exit code, and health turns unhealthy', (t) => {
  const running = record('fx-plain');
  const crashed = { ...running, state: 'exited' as const, exitCode: 137, oomKilled: true };
  const events = containerTransitions(running, crashed);
  t.like(events[0]!.data, { from: 'running', to: 'exited', exitCode: 137, oomKilled: true });
  t.like(events[1]!.data, { from: 'healthy', to: 'unhealthy' });
});

test('no change, no event; removal is a state change to removed', (t) => {
  const r = record('fx-plain');
  t.deepEqual(containerTransitions(r, r), []);
  const removed = containerTransitions(r, undefined);
  t.deepEqual(
    removed.map((e) => [e.type, e.data.to]),
    [['container.state', 'removed']],
  );
});
