import test from 'ava';
import { parseInspect, type InspectJson } from '../../../src/docker/parse/inspect.js';
import type { ContainerRecord } from '../../../src/docker/types.js';
import { bootPlan, type BootCandidate, type BootContext } from '../../../src/recovery/boot/boot-plan.js';
import { freshRecovery, type RecoveryState } from '../../../src/store/recovery-state.js';
import { fixtureJson } from '../../helpers/fixtures.js';

const now = Date.parse('2026-11-23T10:00:00Z');
const wentAway = now - 20_000;
const syncedAt = now - 5_000;
const exited = (over: Partial<ContainerRecord> = {}): ContainerRecord => ({
  ...parseInspect(fixtureJson<InspectJson>('engine/inspect-fx-exited.json')),
  exitCode: 137,
  finishedAt: new Date(wentAway - 300),
  labels: {},
  ...over,
});
const shouldRun = {
  key: 'k',
  containerId: 'x',
  name: 'n',
  desired: 'running' as const,
  source: 'event' as const,
  reason: 'started',
  updatedAt: now - 60_000,
};
/** The engine's kill just before the exit, as `docker stop` and the engine's own shutdown deliver it. */
const byKill = (record: ContainerRecord) => ({
  stopRequestedAt: record.finishedAt ? new Date(record.finishedAt.getTime() - 200) : null,
});
const noKill = { stopRequestedAt: null };
const candidate = (
  record: ContainerRecord,
  recovery: Partial<RecoveryState> = {},
  desired: BootCandidate['desired'] | null = shouldRun,
  exit: Partial<Pick<BootCandidate, 'stopRequestedAt' | 'watchedSince'>> = byKill(record),
): BootCandidate => ({
  record,
  stopRequestedAt: null,
  watchedSince: new Date(now - 3_600_000),
  ...exit,
  desired: desired ?? undefined,
  recovery: { ...freshRecovery('k'), ...recovery },
});
const ctx = (over: Partial<BootContext> = {}): BootContext => ({
  trigger: 'engine-restart',
  syncedAt,
  engineWentAwayAt: wentAway,
  shutdownWindowMs: 30_000,
  scope: 'all',
  autoheal: 'labelled',
  schedule: { baseMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000, maxAttempts: 5 },
  selfId: null,
  now,
  ...over,
});
const backingOff = { attempts: 3, nextAt: now + 40_000, lastActionAt: now - 1000 };

const table: [string, BootCandidate, BootContext, string | null, RegExp?][] = [
  ['stopped by the engine going away → start', candidate(exited()), ctx(), 'start', /engine restarted/],
  [
    'stopped by the engine while backing off → start all the same: the stop was not its failure',
    candidate(exited(), backingOff),
    ctx(),
    'start',
    /engine restarted/,
  ],
  [
    'stopped by the engine, attempts used up but not given up → start',
    candidate(exited(), { attempts: 5 }),
    ctx(),
    'start',
  ],
  ['stopped by the engine, unlabelled, scope all → start', candidate(exited()), ctx({ scope: 'all' }), 'start'],
  [
    'unlabelled, scope labelled → skip, saying why',
    candidate(exited()),
    ctx({ scope: 'labelled' }),
    'skip',
    /not labelled/,
  ],
  [
    'labelled false → skip',
    candidate(exited({ labels: { 'vigil.autoheal': 'false' } })),
    ctx(),
    'skip',
    /autoheal=false/,
  ],
  [
    'given up before the restart → skip: it needs a person',
    candidate(exited(), { gaveUpAt: now - 100_000, attempts: 5 }),
    ctx(),
    'skip',
    /gave up/,
  ],
  [
    'down since long before the engine went away, in backoff → later',
    candidate(exited({ finishedAt: new Date(wentAway - 120_000) }), backingOff),
    ctx(),
    'later',
    /backing off/,
  ],
  [
    'down since long before, attempts used up → give up, said out loud',
    candidate(exited({ finishedAt: new Date(wentAway - 120_000) }), { attempts: 5 }),
    ctx(),
    'give-up',
  ],
  [
    'down since long before, due → start',
    candidate(exited({ finishedAt: new Date(wentAway - 120_000) })),
    ctx(),
    'start',
    /down since before/,
  ],
  [
    'vigil start, in backoff → later (a restart of vigil keeps to the schedule)',
    candidate(exited(), backingOff),
    ctx({ trigger: 'vigil-start', engineWentAwayAt: null }),
    'later',
  ],
  [
    'vigil start, due → start',
    candidate(exited()),
    ctx({ trigger: 'vigil-start', engineWentAwayAt: null }),
    'start',
    /vigil started/,
  ],
  [
    "crashed after the sync → not the reconcile's (the ordinary path has it)",
    candidate(exited({ finishedAt: new Date(syncedAt + 10) })),
    ctx(),
    null,
  ],
  [
    'a person stopped it → not in the plan',
    candidate(exited(), {}, { ...shouldRun, desired: 'stopped', reason: 'stopped on request' }),
    ctx(),
    null,
  ],
  [
    'crashed (exit 3) before vigil started, unlabelled, autoheal labelled → skip: a restart of vigil widens nothing',
    candidate(exited({ exitCode: 3 }), {}, { ...shouldRun, reason: 'crashed (exit code 3)' }, noKill),
    ctx({ trigger: 'vigil-start', engineWentAwayAt: null }),
    'skip',
    /crashed before the restart and not labelled vigil\.autoheal=true/,
  ],
  [
    'crashed (exit 1) seconds before the engine went away, no kill before it → skip, as the medic would have',
    candidate(exited({ exitCode: 1 }), {}, shouldRun, noKill),
    ctx(),
    'skip',
    /crashed before the restart/,
  ],
  [
    'crashed long before the engine went away, unlabelled → skip',
    candidate(exited({ exitCode: 3, finishedAt: new Date(wentAway - 120_000) }), {}, shouldRun, noKill),
    ctx(),
    'skip',
    /crashed before the restart/,
  ],
  [
    'OOM-killed before vigil started, unlabelled → skip',
    candidate(exited({ oomKilled: true }), {}, shouldRun, noKill),
    ctx({ trigger: 'vigil-start', engineWentAwayAt: null }),
    'skip',
    /not labelled/,
  ],
  [
    'crashed before vigil started, labelled vigil.autoheal=true → start',
    candidate(exited({ exitCode: 3, labels: { 'vigil.autoheal': 'true' } }), {}, shouldRun, noKill),
    ctx({ trigger: 'vigil-start', engineWentAwayAt: null }),
    'start',
    /vigil started/,
  ],
  [
    "exit 1 after the engine's kill as it went away → stopped by the outage, the reconcile's scope: start",
    candidate(exited({ exitCode: 1 })),
    ctx(),
    'start',
    /engine restarted/,
  ],
  [
    'exit 143 seen by no event before vigil started → a stop from outside, the reconcile scope: start',
    candidate(exited({ exitCode: 143 }), {}, shouldRun, { ...noKill, watchedSince: new Date(syncedAt - 1000) }),
    ctx({ trigger: 'vigil-start', engineWentAwayAt: null }),
    'start',
  ],
  ['no desired state → not in the plan', candidate(exited(), {}, null), ctx(), null],
  ['running → not in the plan', candidate(exited({ state: 'running' })), ctx(), null],
  ['vigil itself → never', candidate(exited({ id: 'self' })), ctx({ selfId: 'self' }), null],
];

for (const [title, given, context, kind, reason] of table) {
  test(`boot plan: ${title}`, (t) => {
    const steps = bootPlan([given], context);
    t.is((steps[0]?.kind as string | undefined) ?? null, kind);
    if (reason) t.regex((steps[0] as { reason: string }).reason, reason);
  });
}

test('boot plan: each container gets at most one step, in input order', (t) => {
  const a = exited({ id: 'a', name: 'a' });
  const b = exited({ id: 'b', name: 'b', state: 'running' });
  const c = exited({ id: 'c', name: 'c', labels: { 'vigil.autoheal': 'false' } });
  const steps = bootPlan([candidate(a), candidate(b), candidate(c)], ctx());
  t.deepEqual(
    steps.map((s) => [s.record.id, s.kind]),
    [
      ['a', 'start'],
      ['c', 'skip'],
    ],
  );
});
