import test from 'ava';
import fc from 'fast-check';
import { containerHealth, exitCause, STOP_TO_EXIT_MS, type HealthFacts } from '../../src/containers/health.js';
import { containerTransitions } from '../../src/containers/transitions.js';
import { containerSummary, healthSummary } from '../../src/containers/view.js';
import { newEntry } from '../../src/docker/inventory.js';
import { parseInspect, type InspectJson } from '../../src/docker/parse/inspect.js';
import { containerStates, type ContainerRecord } from '../../src/docker/types.js';
import { troubleOf } from '../../src/incidents/incident.js';
import { healthFamily } from '../../src/metrics/families/health.js';
import type { StateSetMetric } from '../../src/metrics/view.js';
import { notificationFor } from '../../src/notify/message.js';
import { fixtureJson } from '../helpers/fixtures.js';

const plain = parseInspect(fixtureJson<InspectJson>('engine/inspect-fx-plain.json'));
const checked = parseInspect(fixtureJson<InspectJson>('engine/inspect-fx-health.json'));
const T = Date.parse('2026-11-23T10:00:00Z');
const at = (offsetMs: number) => new Date(T + offsetMs);

const exited = (exitCode: number, over: Partial<ContainerRecord> = {}): ContainerRecord => ({
  ...plain,
  state: 'exited',
  exitCode,
  oomKilled: false,
  finishedAt: at(10_000),
  ...over,
});

/** vigil watching since an hour before T unless told otherwise. */
const facts = (record: ContainerRecord, stopRequestedAt: Date | null, watchedSince = at(-3_600_000)): HealthFacts => ({
  record,
  stopRequestedAt,
  watchedSince,
});

const table: [string, HealthFacts, ReturnType<typeof containerHealth>][] = [
  ['running, no HEALTHCHECK', facts(plain, null), 'healthy'],
  ['running, failing its HEALTHCHECK', facts(checked, null), 'unhealthy'],
  [
    'running, HEALTHCHECK starting',
    facts({ ...checked, health: { ...checked.health!, status: 'starting' } }, null),
    'starting',
  ],
  ['docker stop: SIGTERM ignored, SIGKILL after 10 s (137)', facts(exited(137), at(0)), 'none'],
  ['docker stop: exits on SIGTERM (143)', facts(exited(143), at(0)), 'none'],
  ['docker stop: exits 0 on SIGTERM', facts(exited(0), at(0)), 'none'],
  ['docker stop of an app that exits 1 on SIGTERM', facts(exited(1), at(0)), 'none'],
  ['crash, exit 1, no kill', facts(exited(1), null), 'unhealthy'],
  ['exit 137 watched, no kill seen (killed from inside)', facts(exited(137), null), 'unhealthy'],
  ['crash long after an old kill', facts(exited(2), at(-STOP_TO_EXIT_MS)), 'unhealthy'],
  ['OOM kill, even after a kill', facts(exited(137, { oomKilled: true }), at(0)), 'unhealthy'],
  ['a finished job', facts(exited(0), null), 'none'],
  ['stopped before vigil started (137, unseen)', facts(exited(137), null, at(60_000)), 'none'],
  ['stopped before vigil started (143, unseen)', facts(exited(143), null, at(60_000)), 'none'],
  ['crashed before vigil started (exit 3, unseen)', facts(exited(3), null, at(60_000)), 'unhealthy'],
  ['restarting after a crash', facts({ ...plain, state: 'restarting' }, null), 'unhealthy'],
  ['dead', facts({ ...plain, state: 'dead' }, at(0)), 'unhealthy'],
  ['paused', facts({ ...plain, state: 'paused' }, null), 'none'],
  ['created, never started', facts({ ...plain, state: 'created', startedAt: null }, null), 'none'],
  [
    'stopped with a HEALTHCHECK: its last probe is history',
    facts({ ...exited(137), health: checked.health }, at(0)),
    'none',
  ],
];

for (const [title, input, expected] of table) {
  test(`health: ${title} → ${expected}`, (t) => {
    t.is(containerHealth(input), expected);
  });
}

const factsArb: fc.Arbitrary<HealthFacts> = fc
  .record({
    state: fc.constantFrom(...containerStates),
    exitCode: fc.oneof(fc.constantFrom(0, 1, 2, 130, 137, 139, 143), fc.integer({ min: 0, max: 255 })),
    oomKilled: fc.boolean(),
    finishedMs: fc.integer({ min: -120_000, max: 120_000 }),
    killMs: fc.option(fc.integer({ min: -180_000, max: 120_000 })),
    watchedMs: fc.integer({ min: -240_000, max: 240_000 }),
    check: fc.constantFrom(null, 'healthy' as const, 'unhealthy' as const, 'starting' as const),
  })
  .map(({ state, exitCode, oomKilled, finishedMs, killMs, watchedMs, check }) => ({
    record: {
      ...plain,
      state,
      exitCode,
      oomKilled,
      finishedAt: at(finishedMs),
      health: check === null ? null : { ...checked.health!, status: check },
    },
    stopRequestedAt: killMs === null ? null : at(killMs),
    watchedSince: at(watchedMs),
  }));

test('property: an exit that follows a kill within the stop window is never unhealthy unless OOM-killed', (t) => {
  // fc.assert throws with the shrunk counterexample when the property fails
  t.notThrows(() =>
    fc.assert(
      fc.property(factsArb, fc.integer({ min: 0, max: STOP_TO_EXIT_MS }), (f, afterKill) => {
        const record = { ...f.record, state: 'exited' as const, oomKilled: false, finishedAt: at(afterKill) };
        return containerHealth({ ...f, record, stopRequestedAt: at(0) }) === 'none';
      }),
    ),
  );
});

test('property: an OOM kill, a dead container and a restart loop are always unhealthy', (t) => {
  // fc.assert throws with the shrunk counterexample when the property fails
  t.notThrows(() =>
    fc.assert(
      fc.property(factsArb, (f) => {
        const oom = { ...f, record: { ...f.record, state: 'exited' as const, oomKilled: true } };
        const dead = { ...f, record: { ...f.record, state: 'dead' as const } };
        const looping = { ...f, record: { ...f.record, state: 'restarting' as const } };
        return [oom, dead, looping].every((x) => containerHealth(x) === 'unhealthy');
      }),
    ),
  );
});

test('property: exited health is unhealthy exactly when the exit cause is a crash or an OOM kill', (t) => {
  // fc.assert throws with the shrunk counterexample when the property fails
  t.notThrows(() =>
    fc.assert(
      fc.property(factsArb, (f) => {
        if (f.record.state !== 'exited') return true;
        const cause = exitCause({ ...f.record, stopRequestedAt: f.stopRequestedAt, watchedSince: f.watchedSince });
        return (containerHealth(f) === 'unhealthy') === (cause === 'crashed' || cause === 'oom-killed');
      }),
    ),
  );
});

const metricHealth = healthFamily.metrics({ labels: [] }).find((m) => m.kind === 'stateset') as StateSetMetric;
const ctx = { now: at(0), host: 'h', hostMemoryBytes: 1 << 30, labelAllowlist: [] };

test("property: the JSON, the summary counts and /metrics agree on every container's health", (t) => {
  // fc.assert throws with the shrunk counterexample when the property fails
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.array(factsArb, { minLength: 1, maxLength: 8 }), (all) => {
        const entries = all.map((f, i) => ({
          ...newEntry({ ...f.record, name: `c${i}`, id: `${i}`.padStart(64, '0') }, f.watchedSince, f.stopRequestedAt),
        }));
        const summaries = entries.map((e) => containerSummary(e, undefined, ctx));
        const summary = healthSummary(summaries, ctx);
        const unhealthyInMetrics = entries.filter((e) => metricHealth.current(e) === 'unhealthy').length;
        return (
          entries.every((e, i) => metricHealth.current(e) === summaries[i]!.health) &&
          summary.unhealthy === unhealthyInMetrics
        );
      }),
    ),
  );
});

test('property: a running container that exits opens an incident and tells of a crash exactly when it turns unhealthy', (t) => {
  // fc.assert throws with the shrunk counterexample when the property fails
  t.notThrows(() =>
    fc.assert(
      fc.property(factsArb, (f) => {
        if (f.record.state !== 'exited') return true;
        const before = { ...f, record: { ...plain } };
        const events = containerTransitions(before, f).map((e, id) => ({
          ...e,
          id,
          time: at(0).toISOString(),
        }));
        const state = events.find((e) => e.type === 'container.state')!;
        const unhealthy = containerHealth(f) === 'unhealthy';
        const trouble = events.some((e) => troubleOf(e) !== null);
        const told = notificationFor(state) !== null;
        return trouble === unhealthy && told === unhealthy;
      }),
    ),
  );
});
