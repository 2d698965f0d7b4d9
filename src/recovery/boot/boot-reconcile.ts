import { uptime } from 'node:os';
import type { Logger } from 'pino';
import type { Inventory } from '../../docker/inventory.js';
import type { ContainerRecord } from '../../docker/types.js';
import type { RecoveryStateStore } from '../../store/recovery-state.js';
import type { EventBus } from '../../streams/event-bus.js';
import { containerKey } from '../identity.js';
import type { IntentTracker } from '../intent/intent-tracker.js';
import { KeyedTimers } from '../keyed-timers.js';
import { bootPlan, type BootCandidate, type BootContext, type BootStep, type BootTrigger } from './boot-plan.js';
import { bootSentence, bootNoticeWanted, bootSummary, HOST_BOOT_WINDOW_MS } from './boot-report.js';

/** One reconcile after a start of vigil or of the engine: what every container was found as, and the plan. */
export interface BootRound {
  context: Omit<BootContext, 'engineWentAwayAt'>;
  candidates: BootCandidate[];
  steps: BootStep[];
  /** The loss of the engine's stream this round deals with, if any (IntentTracker.engineRestartHandled). */
  engineWentAwayAt: number | null;
}

/** What one step of the plan came to, once the medic carried it out. */
export type BootStepOutcome =
  | { kind: 'started'; record: ContainerRecord }
  | { kind: 'failed'; record: ContainerRecord; reason: string }
  | { kind: 'skipped'; record: ContainerRecord; reason: string }
  /** The medic was already acting on it: that evaluation sees to it, and the round says nothing of it. */
  | { kind: 'busy'; record: ContainerRecord };

/**
 * The plan for every container the inventory has (boot-plan.ts), for the medic to carry out. The
 * engine's events since vigil last ran were read before this (EngineEvents.resumeFrom); where none
 * told, a labelled container's exit code may still say it crashed, and that is recorded here.
 */
export function planBootRound(
  parts: { inventory: Inventory; intent: IntentTracker; recovery: RecoveryStateStore },
  context: Omit<BootContext, 'engineWentAwayAt'>,
): BootRound {
  const { inventory, intent, recovery } = parts;
  const engineWentAwayAt = intent.engineWentAwayAt;
  const candidates = inventory.all().map(({ record, stopRequestedAt, watchedSince }) => ({
    record,
    stopRequestedAt,
    watchedSince,
    desired: intent.learnFromExit(record),
    recovery: recovery.get(containerKey(record)),
  }));
  const steps = bootPlan(candidates, { ...context, engineWentAwayAt });
  return { context, candidates, steps, engineWentAwayAt };
}

/**
 * Says in one `recovery.boot` event (when one is wanted) what the round started, what failed and what
 * it left. `hostBootedAt` (the kernel's uptime by default) tells a vigil start soon after the host's.
 */
export function reportBootRound(
  round: BootRound,
  outcomes: readonly BootStepOutcome[],
  out: { bus: EventBus; logger: Logger },
  hostBootedAt: number = Date.now() - uptime() * 1000,
): void {
  const { trigger, syncedAt, selfId } = round.context;
  const recovered = outcomes.filter((o) => o.kind === 'started').map((o) => o.record.name);
  const failed = outcomes.flatMap((o) => (o.kind === 'failed' ? [{ name: o.record.name, reason: o.reason }] : []));
  const skipped = outcomes.flatMap((o) => (o.kind === 'skipped' ? [{ name: o.record.name, reason: o.reason }] : []));
  const found = round.candidates
    .filter(({ record }) => record.id !== selfId)
    .map(({ record, desired }) => ({ name: record.name, state: record.state, desired: desired?.desired }));
  const summary = bootSummary(found, recovered, failed, skipped);
  const hostBooted = trigger === 'vigil-start' && syncedAt - hostBootedAt <= HOST_BOOT_WINDOW_MS;
  if (!bootNoticeWanted(trigger, hostBooted, recovered.length, failed.length)) {
    // said all the same: whoever waits on the round (a person reading the log, a test) knows it ran
    out.logger.info({ trigger, summary }, 'reconciled after restart; nothing to tell');
    return;
  }
  const restarted = trigger === 'engine-restart' ? 'engine' : hostBooted ? 'host' : 'vigil';
  const at = new Date(syncedAt).toISOString();
  const sentence = bootSentence(restarted, at, summary);
  out.bus.publish({
    type: 'recovery.boot',
    data: { trigger, restarted, at, recovered: recovered.sort(), failed, skipped, summary, sentence },
  });
  out.logger.info(
    { trigger, restarted, recovered, failed, skipped: skipped.length, summary },
    'reconciled after restart',
  );
}

/**
 * When the medic reconciles: a grace period after each full resync of the inventory (vigil started, or
 * the engine came back), and again 5 s after a reconcile that failed. Until one has run, `pending` says
 * that stopped containers wait for it.
 */
export class BootTiming {
  private readonly timers = new KeyedTimers();
  private isPending = true;

  constructor(
    private readonly graceMs: number,
    /** The medic's reconcile (Medic.bootReconcile); it calls done() when it has run. */
    private readonly reconcile: (trigger: BootTrigger, syncedAt: number) => Promise<void>,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  get pending(): boolean {
    return this.isPending;
  }

  engineGone(): void {
    this.isPending = true;
  }

  synced(trigger: BootTrigger): void {
    const syncedAt = this.clock();
    this.timers.set('boot', this.graceMs, () => this.runSafely(trigger, syncedAt));
  }

  done(): void {
    this.isPending = false;
  }

  stop(): void {
    this.timers.clear();
  }

  private runSafely(trigger: BootTrigger, syncedAt: number): void {
    this.reconcile(trigger, syncedAt).catch((err: Error) => {
      // still pending, so nothing stopped is acted on before a reconcile has run
      this.logger.error({ err: err.message, trigger }, 'boot reconcile failed; trying again in 5 s');
      this.timers.set('boot', 5_000, () => this.runSafely(trigger, syncedAt));
    });
  }
}
