import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { ContainerEngine } from '../../docker/engine.js';
import { engineWentAway } from '../../docker/unreachable.js';
import type { ContainerRecord } from '../../docker/types.js';
import type { HistoryStore } from '../../store/history.js';
import type { RecoveryState, RecoveryStateStore } from '../../store/recovery-state.js';
import type { EventBus } from '../../streams/event-bus.js';
import type { BootTrigger } from '../boot/boot-plan.js';
import { containerKey } from '../identity.js';
import type { RecoveryAction } from '../decisions/policy.js';
import { afterAction, type SchedulePolicy } from '../decisions/schedule.js';

/** Why an action was not the container's own recovery: its notification is one of a group's. */
export type ActionTrigger = BootTrigger | 'dependency';

export type ActionOutcome = 'success' | 'failure';

/** How an action is taken and recorded. */
export interface ActionHow {
  /** Whether it is one of the container's recovery attempts (moves its backoff). */
  counted: boolean;
  /** The problem it answers, kept in the backoff state when it fails (`image-missing`). */
  problem?: string | undefined;
  trigger?: ActionTrigger;
  /** For a recreate: the network to recreate into (a sidecar's new namespace owner). */
  networkMode?: string;
}

export interface ActionResult {
  outcome: ActionOutcome;
  error?: string;
  /** When the container may next be acted on. */
  nextAt: number;
}

export interface ActorOptions {
  schedule: SchedulePolicy;
  /** Recovery actions in flight at once, engine-wide. */
  concurrency: number;
  /** A problem vigil cannot fix is reported again when it comes back after this long without it. */
  reportQuietMs: number;
}

export interface ActorParts {
  engine: ContainerEngine;
  stores: { recovery: RecoveryStateStore; history: HistoryStore };
  bus: EventBus;
  /** Told before vigil acts on a container, so that its kills and start are not taken for a person's. */
  markOwnStart: (id: string) => void;
  /** Told before vigil recreates a container, and after with the new id: its rows go with it. */
  recreating?: { before(id: string): void; after(oldId: string, newId: string | null): void };
  logger: Logger;
}

/**
 * What the medic does once it has decided: takes an action on the engine and records it (history,
 * recovery schedule, an event, a log line), gives up out loud, or reports what it will not fix. It
 * decides nothing; the caller holds the container while it acts.
 */
export class RecoveryActor {
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly lastReported = new Map<string, { reason: string; seenAt: number }>();

  constructor(
    private readonly parts: ActorParts,
    private readonly options: ActorOptions,
    private readonly onAction: (done: { action: RecoveryAction; outcome: ActionOutcome }) => void,
    private readonly clock: () => number = Date.now,
  ) {
    this.limit = pLimit(options.concurrency);
  }

  get reportedCount(): number {
    return this.lastReported.size;
  }

  /** The container and its key are gone: nothing reported about it is worth remembering. */
  forget(key: string): void {
    this.lastReported.delete(key);
  }

  /**
   * Takes one action on one container, recording it and what it changed. An uncounted action (after
   * a restart of the engine) leaves the backoff alone. Resolves with when the container may next be acted on.
   */
  async act(record: ContainerRecord, action: RecoveryAction, reason: string, how: ActionHow): Promise<ActionResult> {
    const { stores, bus, logger } = this.parts;
    const key = containerKey(record);
    const startedAt = this.clock();
    const container = { id: record.shortId, name: record.name };
    bus.publish({ type: 'recovery.started', container, data: { action, reason } });
    let outcome: ActionOutcome = 'success';
    let error: string | undefined;
    let interrupted = false;
    try {
      await this.limit(() => this.perform(record, action, how.networkMode));
    } catch (err) {
      outcome = 'failure';
      error = (err as { json?: { message?: string } }).json?.message ?? (err as Error).message;
      interrupted = engineWentAway(err);
    }
    const now = this.clock();
    const before = stores.recovery.get(key);
    const failedWith = outcome === 'failure' ? (how.problem ?? null) : null;
    // the engine going away midway is no attempt: it says nothing about the container
    const counted = how.counted && !interrupted;
    const recovery = counted ? afterAction(before, now, this.options.schedule, failedWith) : before;
    if (counted && !stores.recovery.put(recovery)) {
      logger.error(
        { container: record.name, attempts: recovery.attempts },
        'recovery state not written (the store refuses writes); the backoff holds in memory',
      );
    }
    const data = {
      action,
      reason,
      outcome,
      ...(error ? { error } : {}),
      attempt: recovery.attempts,
      counted,
      ...(interrupted ? { interrupted: 'the engine went away during the call' } : {}),
      ...(how.trigger ? { trigger: how.trigger } : {}),
      nextAllowedAt: new Date(recovery.nextAt).toISOString(),
      ms: now - startedAt,
    };
    this.note(record, key, data);
    bus.publish({ type: 'recovery.action', container, data });
    this.onAction({ action, outcome });
    const log = {
      container: record.name,
      action,
      reason,
      outcome,
      ...(error ? { err: error } : {}),
      attempt: recovery.attempts,
    };
    logger[outcome === 'success' ? 'info' : 'warn'](log, 'recovery action');
    return { outcome, ...(error ? { error } : {}), nextAt: recovery.nextAt };
  }

  giveUp(record: ContainerRecord, key: string, recovery: RecoveryState, reason: string): void {
    // held in memory when the store refuses it: giving up must stick whatever the disk says
    this.parts.stores.recovery.put({ ...recovery, gaveUpAt: this.clock() });
    this.note(record, key, { action: 'give-up', reason, attempts: recovery.attempts });
    const container = { id: record.shortId, name: record.name };
    this.parts.bus.publish({ type: 'recovery.gave_up', container, data: { reason, attempts: recovery.attempts } });
    this.parts.logger.warn({ container: record.name, attempts: recovery.attempts, reason }, 'gave up recovering');
  }

  /** A problem vigil will not or cannot fix: said once, and again when it comes back after a quiet spell. */
  report(record: ContainerRecord, key: string, type: 'recovery.report' | 'recovery.skipped', reason: string): void {
    const now = this.clock();
    const last = this.lastReported.get(key);
    this.lastReported.set(key, { reason, seenAt: now });
    if (last?.reason === reason && now - last.seenAt < this.options.reportQuietMs) return;
    this.note(record, key, { action: type.replace('recovery.', ''), reason });
    this.parts.bus.publish({ type, container: { id: record.shortId, name: record.name }, data: { reason } });
  }

  /** History is worth keeping but not worth failing an action over. */
  note(record: ContainerRecord, key: string, data: Record<string, unknown>): void {
    try {
      this.parts.stores.history.add({
        key,
        containerId: record.id,
        name: record.name,
        at: this.clock(),
        kind: 'action',
        data,
      });
    } catch (err) {
      this.parts.logger.warn({ err: (err as Error).message, container: record.name }, 'recovery history not written');
    }
  }

  private async perform(record: ContainerRecord, action: RecoveryAction, networkMode?: string): Promise<void> {
    const { engine, markOwnStart } = this.parts;
    markOwnStart(record.id);
    switch (action) {
      case 'restart':
        return engine.restart(record.id);
      case 'start':
        return engine.start(record.id);
      case 'recreate':
        return this.recreate(record, () => engine.recreate(record.id, networkMode ? { networkMode } : {}));
      case 'pull':
        await engine.pull(record.image);
        return this.recreate(record, () => engine.recreate(record.id));
    }
  }

  private async recreate(record: ContainerRecord, replace: () => Promise<string>): Promise<void> {
    const { markOwnStart, recreating } = this.parts;
    recreating?.before(record.id);
    let newId: string | null = null;
    try {
      newId = await replace();
      markOwnStart(newId);
    } finally {
      recreating?.after(record.id, newId);
    }
  }
}
