import test from 'ava';
import { eventTransition, StateTransitions, stateAfter } from '../../src/containers/event-transitions.js';
import type { ContainerEvent, ContainerEventAction } from '../../src/docker/types.js';
import type { EventInput } from '../../src/streams/events.js';

const id = 'a'.repeat(64);
let clock = 0n;
function event(action: ContainerEventAction, attributes: Record<string, string> = {}, of = id): ContainerEvent {
  const e: ContainerEvent = {
    id: of,
    action,
    name: 'web',
    attributes: { name: 'web', ...attributes },
    timeNano: ++clock,
  };
  if (attributes.exitCode) e.exitCode = Number(attributes.exitCode);
  return e;
}

function harness() {
  const published: EventInput<'container.state'>[] = [];
  const states = new StateTransitions((e) => published.push(e));
  return { states, published, pairs: () => published.map((e) => [e.data.from, e.data.to]) };
}

test('a fast create, start, die, start, die, destroy: every transition, once, in order', (t) => {
  const h = harness();
  const sequence = [
    event('create'),
    event('start'),
    event('die', { exitCode: '1' }),
    event('start'),
    event('die', { exitCode: '2' }),
    event('destroy'),
  ];
  for (const e of sequence) h.states.onEvent(e, null);
  t.deepEqual(h.pairs(), [
    [null, 'created'],
    ['created', 'running'],
    ['running', 'exited'],
    ['exited', 'running'],
    ['running', 'exited'],
    ['exited', 'removed'],
  ]);
  t.deepEqual(
    h.published.filter((e) => e.data.to === 'exited').map((e) => e.data.exitCode),
    [1, 2],
  );
  t.true(h.published.every((e) => e.type === 'container.state' && e.container.id === id.slice(0, 12)));
});

test('a restart (kill, die, stop, start, restart) is one stop and one start', (t) => {
  const h = harness();
  h.states.onEvent(event('start'), 'created');
  for (const a of ['kill', 'die', 'stop', 'start', 'restart'] as const)
    h.states.onEvent(event(a, a === 'die' ? { exitCode: '143' } : {}), 'running');
  t.deepEqual(h.pairs(), [
    ['created', 'running'],
    ['running', 'exited'],
    ['exited', 'running'],
  ]);
});

test('an oom before the die marks the exit as an OOM kill, and only that exit', (t) => {
  const h = harness();
  h.states.onEvent(event('start'), 'created');
  h.states.onEvent(event('oom'), null);
  h.states.onEvent(event('die', { exitCode: '137' }), null);
  h.states.onEvent(event('start'), null);
  h.states.onEvent(event('die', { exitCode: '137' }), null);
  t.deepEqual(
    h.published.filter((e) => e.data.to === 'exited').map((e) => e.data.oomKilled),
    [true, false],
  );
});

test('the first event of a container found at start goes from the state the inventory holds', (t) => {
  const h = harness();
  h.states.onEvent(event('die', { exitCode: '0' }), 'running');
  t.deepEqual(h.pairs(), [['running', 'exited']]);
});

test('a container the inventory finds is told once, and not again once its events have told it', (t) => {
  const h = harness();
  const found = { id, shortId: id.slice(0, 12), name: 'web', state: 'running' as const };
  h.states.onFound(found);
  h.states.onFound(found);
  const other = 'b'.repeat(64);
  h.states.onEvent(event('create', {}, other), null);
  h.states.onFound({ ...found, id: other, shortId: other.slice(0, 12), state: 'created' });
  t.deepEqual(h.pairs(), [
    [null, 'running'],
    [null, 'created'],
  ]);
});

test("a removal is told once, whether the inventory's or the engine's destroy comes first", (t) => {
  for (const order of ['destroy first', 'inventory first']) {
    const h = harness();
    const found = { id, shortId: id.slice(0, 12), name: 'web', state: 'exited' as const };
    h.states.onFound(found);
    if (order === 'destroy first') {
      h.states.onEvent(event('destroy'), 'exited');
      h.states.onLost(found);
    } else {
      h.states.onLost(found);
      h.states.onEvent(event('destroy'), null);
    }
    t.deepEqual(
      h.pairs(),
      [
        [null, 'exited'],
        ['exited', 'removed'],
      ],
      order,
    );
  }
});

test('events that change no state make no transition', (t) => {
  for (const a of ['kill', 'stop', 'rename', 'update', 'health_status'] as const) t.is(stateAfter(a), null);
  t.is(eventTransition(undefined, event('kill')).transition, null);
});

test('an exit just after the engine delivered a kill is a stop; one without, or after the next start, a crash', (t) => {
  const published: EventInput<'container.state'>[] = [];
  const states = new StateTransitions((e) => published.push(e), new Date(0));
  const at = (ms: number, e: ContainerEvent): ContainerEvent => ({ ...e, timeNano: BigInt(ms) * 1_000_000n });
  const start = Date.parse('2026-12-01T12:00:00Z');
  const sequence = [
    at(start, event('start')),
    at(start + 1000, event('kill', { signal: '15' })),
    at(start + 1200, event('die', { exitCode: '1' })),
    at(start + 5000, event('start')),
    at(start + 6000, event('die', { exitCode: '1' })),
    at(start + 9000, event('start')),
    at(start + 9500, event('die', { exitCode: '0' })),
  ];
  for (const e of sequence) states.onEvent(e, null);
  const causes = published.filter((e) => e.data.to === 'exited').map((e) => e.data.cause);
  t.deepEqual(causes, ['stopped', 'crashed', 'finished']);
});
