import { uptime } from 'node:os';
import type { Logger } from 'pino';
import type { Inventory } from '../../docker/inventory.js';
import type { ContainerRecord } from '../../docker/types.js';
import type { RecoveryStateStore } from '../../store/recovery-state.js';
import type { EventBus } from '../../streams/event-bus.js';
import type { RecoveryActor } from '../medic/actor.js';
import { bootPlan, type BootContext, type BootTrigger } from './boot-plan.js';
import { bootSentence, bootNoticeWanted, bootSummary, HOST_BOOT_WINDOW_MS } from './boot-report.js';
import { containerKey } from '../identity.js';
import type { IntentTracker } from '../intent/intent-tracker.js';
import { KeyedTimers } from '../keyed-timers.js';
import type { SingleFlight } from '../medic/single-flight.js';

export interface BootReconcileParts {
  inventory: Inventory;
  intent: IntentTracker;
  recovery: RecoveryStateStore;
  actor: RecoveryActor;
  flights: SingleFlight;
  /** Starts a container (uncounted) and schedules the look after it. */
  start(record: ContainerRecord, reason: string, trigger: BootTrigger): ReturnType<RecoveryActor['act']>;
  /** Evaluates a container later, through the medic's normal path. */
  later(id: string, inMs: number): void;
  bus: EventBus;
  logger: Logger;
  /** When the host booted (the kernel's uptime): a vigil start soon after it is a host restart. */
  hostBootedAt?: () => number;
}

/**
 * After vigil starts, and after the engine comes back: follows the boot plan (pure) for every container,
 * starts what should run, and says in one event what it started, what failed and what it left.
 * Resolves with the ids it started, which come back through their own events.
 */
export async function reconcileAfterBoot(
  parts: BootReconcileParts,
  context: Omit<BootContext, 'engineWentAwayAt'>,
): Promise<Set<string>> {
  const { inventory, intent, recovery, actor, flights, bus, logger } = parts;
  const { trigger } = context;
  const wentAway = intent.engineWentAwayAt;
  // the engine's events since vigil last ran were read before this (EngineEvents.resumeFrom); where
  // none told, a labelled container's exit code may still say it crashed
  const candidates = inventory.all().map(({ record }) => {
    const key = containerKey(record);
    return { record, desired: intent.learnFromExit(record), recovery: recovery.get(key) };
  });
  const steps = bootPlan(candidates, { ...context, engineWentAwayAt: wentAway });
  const recovered: string[] = [];
  const failed: { name: string; reason: string }[] = [];
  const skipped: { name: string; reason: string }[] = [];
  const actedOn = new Set<string>();
  await Promise.all(
    steps.map(async (step) => {
      const { record } = step;
      const key = containerKey(record);
      if (step.kind !== 'start') {
        skipped.push({ name: record.name, reason: step.reason });
        if (step.kind === 'later') parts.later(record.id, step.waitMs);
        if (step.kind === 'give-up') actor.giveUp(record, key, recovery.get(key), step.reason);
        return;
      }
      await flights.run(key, async () => {
        actedOn.add(record.id);
        try {
          const result = await parts.start(record, step.reason, trigger);
          if (result.outcome === 'success') recovered.push(record.name);
          else failed.push({ name: record.name, reason: result.error ?? 'unknown' });
        } catch (err) {
          failed.push({ name: record.name, reason: (err as Error).message });
        }
      });
    }),
  );
  intent.engineRestartHandled(wentAway);
  const summary = bootSummary(
    candidates
      .filter(({ record }) => record.id !== context.selfId)
      .map(({ record, desired }) => ({ name: record.name, state: record.state, desired: desired?.desired })),
    recovered,
    failed,
    skipped,
  );
  const hostBootedAt = parts.hostBootedAt?.() ?? Date.now() - uptime() * 1000;
  const hostBooted = trigger === 'vigil-start' && context.syncedAt - hostBootedAt <= HOST_BOOT_WINDOW_MS;
  if (bootNoticeWanted(trigger, hostBooted, recovered.length, failed.length)) {
    const restarted = trigger === 'engine-restart' ? 'engine' : hostBooted ? 'host' : 'vigil';
    const at = new Date(context.syncedAt).toISOString();
    bus.publish({
      type: 'recovery.boot',
      data: {
        ...{ trigger, restarted, at, recovered: recovered.sort(), failed, skipped },
        ...{ summary, sentence: bootSentence(restarted, at, summary) },
      },
    });
    logger.info(
      { trigger, restarted, recovered, failed, skipped: skipped.length, summary },
      'reconciled after restart',
    );
  }
  return actedOn;
}

export interface BootReconcilerOptions extends Pick<BootContext, 'shutdownWindowMs' | 'scope' | 'schedule' | 'selfId'> {
  /** After the engine (or vigil) starts, how long the engine's own restart policies get before vigil acts. */
  graceMs: number;
}

/**
 * When to reconcile: a grace period after each full resync of the inventory (vigil started, or the
 * engine came back), and again 5 s after a reconcile that failed. Until one has run, `pending` says
 * that stopped containers wait for it.
 */
export class BootReconciler {
  private readonly timers = new KeyedTimers();
  private isPending = true;

  constructor(
    private readonly parts: BootReconcileParts,
    private readonly options: BootReconcilerOptions,
    /** Everything the reconcile held back is evaluated the normal way; those it started come back by events. */
    private readonly afterwards: (startedIds: ReadonlySet<string>) => void,
    private readonly clock: () => number = Date.now,
  ) {}

  get pending(): boolean {
    return this.isPending;
  }

  engineGone(): void {
    this.isPending = true;
  }

  synced(): void {
    const trigger: BootTrigger = this.parts.intent.engineWentAwayAt === null ? 'vigil-start' : 'engine-restart';
    const syncedAt = this.clock();
    this.timers.set('boot', this.options.graceMs, () => this.runSafely(trigger, syncedAt));
  }

  stop(): void {
    this.timers.clear();
  }

  get timerCount(): number {
    return this.timers.size;
  }

  async run(trigger: BootTrigger, syncedAt: number): Promise<void> {
    const { graceMs: _graceMs, ...context } = this.options;
    const startedIds = await reconcileAfterBoot(this.parts, { ...context, trigger, syncedAt, now: this.clock() });
    this.isPending = false;
    this.afterwards(startedIds);
  }

  private runSafely(trigger: BootTrigger, syncedAt: number): void {
    this.run(trigger, syncedAt).catch((err: Error) => {
      // still pending, so nothing stopped is acted on before a reconcile has run
      this.parts.logger.error({ err: err.message, trigger }, 'boot reconcile failed; trying again in 5 s');
      this.timers.set('boot', 5_000, () => this.runSafely(trigger, syncedAt));
    });
  }
}
