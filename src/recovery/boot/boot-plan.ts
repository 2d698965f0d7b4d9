import { exitCauseOf, isTrouble, type HealthFacts } from '../../containers/health.js';
import type { ContainerRecord } from '../../docker/types.js';
import type { DesiredState } from '../../store/desired-state.js';
import type { RecoveryState } from '../../store/recovery-state.js';
import { actionPermitted, type PolicyScope } from '../decisions/policy.js';
import type { SchedulePolicy } from '../decisions/schedule.js';

export type BootTrigger = 'vigil-start' | 'engine-restart';

export interface BootCandidate extends Pick<HealthFacts, 'stopRequestedAt' | 'watchedSince'> {
  record: ContainerRecord;
  desired: DesiredState | undefined;
  recovery: RecoveryState;
}

export interface BootContext {
  trigger: BootTrigger;
  /** When the inventory was in sync again: a container down since after this crashed on its own. */
  syncedAt: number;
  /** When the engine's event stream was lost, for an engine restart. */
  engineWentAwayAt: number | null;
  /** Stops this long before the stream was lost belong to the engine's shutdown. */
  shutdownWindowMs: number;
  /** Which should-run containers the reconcile brings back (VIGIL_RECONCILE_ON_BOOT). */
  scope: PolicyScope;
  /** Which containers the medic restarts after a crash (VIGIL_AUTOHEAL): a crash from before is its business. */
  autoheal: PolicyScope;
  schedule: SchedulePolicy;
  selfId: string | null;
  now: number;
}

export type BootStep =
  /** Start it now. A boot start is never counted as a recovery attempt: a restart is not the container's failure. */
  | { kind: 'start'; record: ContainerRecord; reason: string }
  /** Left alone, and said so in the boot report. */
  | { kind: 'skip'; record: ContainerRecord; reason: string }
  /** A crash loop in its backoff before the restart: the medic's own schedule takes it from here. */
  | { kind: 'later'; record: ContainerRecord; waitMs: number; reason: string }
  /** Its attempts were used up before the restart: vigil gives up on it, and says so. */
  | { kind: 'give-up'; record: ContainerRecord; reason: string };

const down = new Set(['exited', 'dead', 'created']);

/**
 * Pure: what the reconcile after a start of vigil or of the engine does with each container. Containers
 * the engine (or host) stopped as it went away come back whatever their backoff says, since that stop
 * was not their failure; containers already down before then keep to their backoff.
 */
export function bootPlan(candidates: readonly BootCandidate[], ctx: BootContext): BootStep[] {
  const steps: BootStep[] = [];
  for (const { record, desired, recovery, stopRequestedAt, watchedSince } of candidates) {
    if (!down.has(record.state) || record.id === ctx.selfId) continue;
    const finishedAt = record.finishedAt?.getTime() ?? null;
    // down since after the (re)start: an ordinary crash, for the ordinary path
    if (finishedAt !== null && finishedAt > ctx.syncedAt) continue;
    if (desired?.desired !== 'running') continue;
    const stoppedByOutage =
      ctx.trigger === 'engine-restart' &&
      ctx.engineWentAwayAt !== null &&
      finishedAt !== null &&
      finishedAt >= ctx.engineWentAwayAt - ctx.shutdownWindowMs;
    // A crash vigil saw before the engine (or vigil) went away (no kill came before the exit) wants
    // "running" only as the medic's wish: a restart must not widen who is restarted after a crash, so
    // the medic's own scope decides. An engine's shutdown kills first, and its stops keep the reconcile's.
    const lostAt = ctx.engineWentAwayAt ?? ctx.syncedAt;
    const crashedBefore =
      finishedAt !== null && finishedAt < lostAt && isTrouble(exitCauseOf({ record, stopRequestedAt, watchedSince }));
    const permitted = crashedBefore
      ? actionPermitted(record.labels, ctx.autoheal, 'start')
      : actionPermitted(record.labels, ctx.scope, 'start');
    if (!permitted.allowed) {
      const why = crashedBefore ? `crashed before the restart and ${permitted.why}` : permitted.why;
      steps.push({ kind: 'skip', record, reason: why });
      continue;
    }
    if (recovery.gaveUpAt !== null) {
      steps.push({ kind: 'skip', record, reason: 'vigil gave up on it before the restart; it needs a person' });
      continue;
    }
    if (stoppedByOutage) {
      steps.push({ kind: 'start', record, reason: 'stopped when the engine restarted' });
      continue;
    }
    if (ctx.now < recovery.nextAt) {
      steps.push({
        kind: 'later',
        record,
        waitMs: recovery.nextAt - ctx.now,
        reason: `backing off for ${Math.ceil((recovery.nextAt - ctx.now) / 1000)} s`,
      });
      continue;
    }
    if (recovery.attempts >= ctx.schedule.maxAttempts) {
      steps.push({ kind: 'give-up', record, reason: `still down after ${recovery.attempts} attempts` });
      continue;
    }
    steps.push({
      kind: 'start',
      record,
      reason:
        ctx.trigger === 'engine-restart'
          ? 'should run; down since before the engine restarted'
          : 'should run; found stopped when vigil started',
    });
  }
  return steps;
}
