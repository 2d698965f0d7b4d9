import test from 'ava';
import { readFileSync } from 'node:fs';
import { parseEngineEventLine } from '../../../src/docker/parse/events.js';
import type { ContainerEvent } from '../../../src/docker/types.js';
import {
  engineShutdownStops,
  intentFromEvent,
  type IntentMemory,
  type KillStop,
} from '../../../src/recovery/decisions/intent.js';
import {
  stopCause,
  type OwnAction,
  type StopCause,
  type StreamGap,
} from '../../../src/recovery/decisions/stop-cause.js';

const fixture = (name: string) => new URL(`../../fixtures/engine/${name}`, import.meta.url);
const times = JSON.parse(readFileSync(fixture('restart.times.json'), 'utf8')) as {
  sigkill: { killedAt: number; startingUpAt: number; answeredAt: number };
  clean: { downAt: number; streamEndedAt: number; answeredAt: number };
};
const events = (name: string): ContainerEvent[] =>
  readFileSync(fixture(name), 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => parseEngineEventLine(line) ?? []);

/** The stops by kill the recorded stream holds, per container name, as the intent tracker reads them. */
function killStops(list: readonly ContainerEvent[]): (KillStop & { name: string })[] {
  const memory = new Map<string, IntentMemory>();
  const stops: (KillStop & { name: string })[] = [];
  for (const event of list) {
    const step = intentFromEvent(event, memory.get(event.id) ?? {}, 'no');
    memory.set(event.id, step.memory);
    if (step.change?.byKill) {
      const dieAt = Number(event.timeNano / 1_000_000n);
      stops.push({ name: event.name, key: event.id, killAt: step.change.killAt ?? dieAt, dieAt });
    }
  }
  return stops;
}

const sigkillStops = killStops(events('restart-sigkill.jsonl'));
const cleanStops = killStops(events('restart-clean.jsonl'));
// vigil reconnects some backoff steps after the engine answers again
const sigkillGap: StreamGap = { lostAt: times.sigkill.killedAt + 40, backAt: times.sigkill.answeredAt + 2_000 };

test('the recorded SIGKILL restart: the engine stops every container that had been running, after its own start', (t) => {
  t.deepEqual(sigkillStops.map((s) => s.name).sort(), ['aa', 'bb', 'rr']);
  for (const stop of sigkillStops) {
    t.true(stop.killAt > times.sigkill.startingUpAt, 'the kill comes from the new engine');
    t.true(stop.dieAt < times.sigkill.answeredAt, 'and is over before the engine answers anyone');
  }
});

const rows: { title: string; killAt: number; gaps: StreamGap[]; ownAction?: OwnAction; cause: StopCause }[] = [
  ...sigkillStops.map((s) => ({
    title: `the restore's stop of ${s.name}, replayed after the gap`,
    killAt: s.killAt,
    gaps: [sigkillGap],
    cause: 'engine' as const,
  })),
  ...sigkillStops.map((s) => ({
    title: `the restore's stop of ${s.name} with no gap known (what vigil did before the fix)`,
    killAt: s.killAt,
    gaps: [],
    cause: 'person' as const,
  })),
  {
    title: 'a kill while the stream is still gone (not back yet)',
    killAt: sigkillStops[0]!.killAt,
    gaps: [{ lostAt: times.sigkill.killedAt, backAt: null }],
    cause: 'engine' as const,
  },
  {
    title: 'a docker stop after vigil is back is a person',
    killAt: sigkillGap.backAt! + 1,
    gaps: [sigkillGap],
    cause: 'person' as const,
  },
  {
    title: 'a docker stop before the engine went away is a person',
    killAt: times.sigkill.killedAt - 5_000,
    gaps: [sigkillGap],
    cause: 'person' as const,
  },
  {
    title: "vigil's own restart (it told the engine just before the kill) is vigil's, even across the gap",
    killAt: times.sigkill.killedAt - 500,
    gaps: [sigkillGap],
    ownAction: { firstAt: times.sigkill.killedAt - 600, lastAt: times.sigkill.killedAt - 600 },
    cause: 'vigil',
  },
  {
    title: 'an action of vigil long before the kill does not make it vigil’s',
    killAt: times.sigkill.killedAt - 5_000,
    gaps: [sigkillGap],
    ownAction: { firstAt: times.sigkill.killedAt - 60_000, lastAt: times.sigkill.killedAt - 60_000 },
    cause: 'person' as const,
  },
  {
    title: 'a kill just after a retry of a long run of vigil’s attempts is still vigil’s',
    killAt: times.sigkill.killedAt - 1_000,
    gaps: [],
    ownAction: { firstAt: times.sigkill.killedAt - 40_000, lastAt: times.sigkill.killedAt - 2_000 },
    cause: 'vigil' as const,
  },
  {
    title: 'a kill before vigil’s first attempt is a person’s',
    killAt: times.sigkill.killedAt - 45_000,
    gaps: [],
    ownAction: { firstAt: times.sigkill.killedAt - 40_000, lastAt: times.sigkill.killedAt - 2_000 },
    cause: 'person' as const,
  },
  ...cleanStops.map((s) => ({
    title: `a clean engine stop's kill of ${s.name} came while the stream was open (the shutdown rule takes it back)`,
    killAt: s.killAt,
    gaps: [{ lostAt: times.clean.streamEndedAt, backAt: times.clean.answeredAt + 1_000 }],
    cause: 'person' as const,
  })),
];

for (const row of rows) {
  test(`stop cause: ${row.title} → ${row.cause}`, (t) => {
    t.is(stopCause(row.killAt, { gaps: row.gaps, ownAction: row.ownAction }), row.cause);
  });
}

test('the recorded clean stop: every kill came after the engine was told to stop, so after it refused new connections', (t) => {
  t.deepEqual(cleanStops.map((s) => s.name).sort(), ['aa', 'bb', 'rr']);
  for (const stop of cleanStops) t.true(stop.killAt >= times.clean.downAt, `${stop.name}: killed by the shutdown`);
  t.is(
    engineShutdownStops(
      cleanStops,
      cleanStops.map(() => 'refused' as const),
    ).length,
    3,
  );
});
