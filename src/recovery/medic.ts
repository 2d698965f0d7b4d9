import { EventEmitter } from 'node:events';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { effectiveHealth } from '../containers/health.js';
import type { ContainerEngine } from '../docker/engine.js';
import type { EngineEvents } from '../docker/events.js';
import type { Inventory, InventoryEntry } from '../docker/inventory.js';
import type { ContainerRecord } from '../docker/types.js';
import type { HistoryStore } from '../store/history.js';
import type { RecoveryState, RecoveryStateStore } from '../store/recovery-state.js';
import type { EventBus } from '../streams/event-bus.js';
import { bootPlan, type BootTrigger } from './boot-plan.js';
import { diagnose, type AlertAction, type AlertRequest, type Diagnosis } from './diagnosis.js';
import { containerKey } from './identity.js';
import type { IntentTracker } from './intent-tracker.js';
import { actionPermitted, type PolicyScope, type RecoveryAction } from './policy.js';
import { actionDue, afterAction, afterHealthyRun, type SchedulePolicy } from './schedule.js';

export interface MedicOptions {
  schedule: SchedulePolicy;
  autoheal: PolicyScope;
  reconcileOnBoot: PolicyScope;
  /** Recovery actions in flight at once, engine-wide. */
  concurrency: number;
  /** After the engine (or vigil) starts, how long the engine's own restart policies get before vigil acts. */
  bootGraceMs: number;
  /** Stops seen this long before the engine went away are the engine's own shutdown. */
  engineShutdownWindowMs: number;
  /** A problem vigil cannot fix is reported again when it comes back after this long without it. */
  reportQuietMs: number;
  /** vigil's own container, which it never touches. */
  selfId: string | null;
}

export interface MedicStores {
  recovery: RecoveryStateStore;
  history: HistoryStore;
}

export type ActionOutcome = 'success' | 'failure';

interface MedicEvents {
  action: [{ action: RecoveryAction; outcome: ActionOutcome }];
}

/** After a successful action, when to look again if no event comes first. */
const SETTLE_MS = 5_000;

/**
 * The medic: evaluates a container (diagnosis, pure), decides under policy and backoff (pure), and
 * acts, one action per container at a time. What each container should be doing comes from the intent
 * tracker; what to do after a restart of vigil or the engine from the boot plan.
 */
export class Medic extends EventEmitter<MedicEvents> {
  private readonly busy = new Set<string>();
  private readonly again = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly limit: ReturnType<typeof pLimit>;
  /** Until the boot reconcile has run, stopped containers wait for it. */
  private bootPending = true;
  private readonly lastReported = new Map<string, { reason: string; seenAt: number }>();
  /** Firing alerts whose rule asks for an action, waiting for their reconcile. */
  private readonly alertRequests = new Map<string, AlertRequest>();
  private stopped = false;

  constructor(
    private readonly engine: ContainerEngine,
    private readonly events: EngineEvents,
    private readonly inventory: Inventory,
    private readonly intent: IntentTracker,
    private readonly stores: MedicStores,
    private readonly bus: EventBus,
    private readonly logger: Logger,
    private readonly options: MedicOptions,
    private readonly clock: () => number = Date.now,
  ) {
    super();
    this.limit = pLimit(options.concurrency);
  }

  start(): void {
    this.events.on('disconnected', this.onEngineGone);
    this.inventory.on('synced', this.onSynced);
    this.inventory.on('added', this.onInventoryChange);
    this.inventory.on('changed', this.onInventoryChange);
    this.inventory.on('removed', this.onRemoved);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.events.off('disconnected', this.onEngineGone);
    this.inventory.off('synced', this.onSynced);
    this.inventory.off('added', this.onInventoryChange);
    this.inventory.off('changed', this.onInventoryChange);
    this.inventory.off('removed', this.onRemoved);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    while (this.busy.size > 0) await new Promise((r) => setTimeout(r, 50));
  }

  /** Per-container entries held in memory: they must follow the containers the engine has, not grow. */
  memoryFootprint(): Record<string, number> {
    return {
      timers: this.timers.size,
      busy: this.busy.size,
      reported: this.lastReported.size,
      alertRequests: this.alertRequests.size,
    };
  }

  /** The recovery state of every container that has one, for metrics; empty while the store cannot be read. */
  recoveryStates(): { record: ContainerRecord; state: RecoveryState }[] {
    let states: Map<string, RecoveryState>;
    try {
      // one query for all, not one per container: this runs at every scrape
      states = new Map(this.stores.recovery.all().map((r) => [r.key, r]));
    } catch {
      return [];
    }
    const out: { record: ContainerRecord; state: RecoveryState }[] = [];
    for (const { record } of this.inventory.all()) {
      const state = states.get(containerKey(record));
      if (state) out.push({ record, state });
    }
    return out;
  }

  /**
   * A firing alert about one of this host's containers. With an action (its rule's vigil_action), the
   * container is reconciled through the same policy and backoff; without, it is only recorded.
   */
  alertFiring(id: string, alertname: string, action: AlertAction | null): void {
    const record = this.inventory.get(id)?.record;
    if (!record) return;
    const key = containerKey(record);
    if (action === null) {
      this.note(record, key, {
        action: 'none',
        reason: `alert ${alertname} recorded; its rule asks for no action (no vigil_action label)`,
      });
      return;
    }
    this.alertRequests.set(key, { alertname, action });
    this.schedule(id, 0);
  }

  alertResolved(id: string, alertname: string): void {
    const record = this.inventory.get(id)?.record;
    if (!record) return;
    const key = containerKey(record);
    if (this.alertRequests.get(key)?.alertname === alertname) this.alertRequests.delete(key);
  }

  /** Evaluates every container: the periodic safety net for missed events. */
  sweep(except: ReadonlySet<string> = new Set()): void {
    for (const entry of this.inventory.all()) if (!except.has(entry.record.id)) this.schedule(entry.record.id, 0);
  }

  private readonly onEngineGone = (): void => {
    this.bootPending = true;
  };

  private readonly onSynced = (): void => {
    const trigger: BootTrigger = this.intent.engineWentAwayAt === null ? 'vigil-start' : 'engine-restart';
    const syncedAt = this.clock();
    const existing = this.timers.get('boot');
    if (existing) clearTimeout(existing);
    this.timers.set(
      'boot',
      setTimeout(() => this.runBoot(trigger, syncedAt), this.options.bootGraceMs),
    );
  };

  private runBoot(trigger: BootTrigger, syncedAt: number): void {
    this.bootReconcile(trigger, syncedAt).catch((err: Error) => {
      // bootPending stays set, so nothing stopped is acted on before a reconcile has run
      this.logger.error({ err: err.message, trigger }, 'boot reconcile failed; trying again in 5 s');
      this.timers.set(
        'boot',
        setTimeout(() => this.runBoot(trigger, syncedAt), 5_000),
      );
    });
  }

  private readonly onInventoryChange = ({ record }: InventoryEntry): void => {
    this.schedule(record.id, 0);
  };

  private readonly onRemoved = ({ record }: InventoryEntry): void => {
    const timer = this.timers.get(record.id);
    if (timer) clearTimeout(timer);
    this.timers.delete(record.id);
    const key = containerKey(record);
    // a recreated container keeps its key: forget only what belongs to no container any more
    if (this.inventory.all().some((e) => containerKey(e.record) === key)) return;
    this.lastReported.delete(key);
    this.alertRequests.delete(key);
    this.again.delete(key);
  };

  private schedule(id: string, inMs: number): void {
    if (this.stopped) return;
    const existing = this.timers.get(id);
    if (existing) clearTimeout(existing);
    const timer = setTimeout(() => {
      this.timers.delete(id);
      this.evaluate(id).catch((err: Error) =>
        this.logger.error(
          { err: err.message, id: id.slice(0, 12) },
          'evaluation failed; the next event or sweep tries again',
        ),
      );
    }, inMs);
    this.timers.set(id, timer);
  }

  /**
   * After vigil starts, and after the engine comes back: every container that should run but does
   * not is started (the engine's own restart policies had bootGraceMs first), and one event lists them.
   */
  async bootReconcile(trigger: BootTrigger, syncedAt: number): Promise<void> {
    this.timers.delete('boot');
    const wentAway = this.intent.engineWentAwayAt;
    const candidates = this.inventory.all().map(({ record }) => {
      const key = containerKey(record);
      return { record, desired: this.intent.desired(key), recovery: this.stores.recovery.get(key) };
    });
    const steps = bootPlan(candidates, {
      trigger,
      syncedAt,
      engineWentAwayAt: wentAway,
      shutdownWindowMs: this.options.engineShutdownWindowMs,
      scope: this.options.reconcileOnBoot,
      schedule: this.options.schedule,
      selfId: this.options.selfId,
      now: this.clock(),
    });
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
          if (step.kind === 'later') this.schedule(record.id, step.waitMs);
          if (step.kind === 'give-up') this.giveUp(record, key, this.stores.recovery.get(key), step.reason);
          return;
        }
        if (this.busy.has(key)) return;
        this.busy.add(key);
        actedOn.add(record.id);
        try {
          const result = await this.act(record, 'start', step.reason, { counted: false, trigger });
          if (result.outcome === 'success') recovered.push(record.name);
          else failed.push({ name: record.name, reason: result.error ?? 'unknown' });
        } catch (err) {
          failed.push({ name: record.name, reason: (err as Error).message });
        } finally {
          this.busy.delete(key);
        }
      }),
    );
    this.bootPending = false;
    this.intent.engineRestartHandled(wentAway);
    if (recovered.length + failed.length > 0 || trigger === 'engine-restart') {
      this.bus.publish({ type: 'recovery.boot', data: { trigger, recovered: recovered.sort(), failed, skipped } });
      this.logger.info({ trigger, recovered, failed, skipped: skipped.length }, 'reconciled after restart');
    }
    // containers held back by the boot reconcile; those it started come back through their events
    this.sweep(actedOn);
  }

  async evaluate(id: string): Promise<void> {
    if (this.stopped) return;
    const entry = this.inventory.get(id);
    if (!entry || entry.record.id === this.options.selfId) return;
    const { record } = entry;
    const key = containerKey(record);
    // the whole evaluation holds the container: two of them interleaving at an await would both see
    // the same backoff state and both act
    if (this.busy.has(key)) {
      this.again.add(key);
      return;
    }
    this.busy.add(key);
    try {
      await this.evaluateHeld(record, key, id);
    } finally {
      this.busy.delete(key);
      if (this.again.delete(key)) this.schedule(id, 0);
    }
  }

  private async evaluateHeld(record: ContainerRecord, key: string, id: string): Promise<void> {
    const now = this.clock();
    const recovery = this.stores.recovery.get(key);
    const alert = this.alertRequests.get(key);
    if (record.state === 'running' && effectiveHealth(record) !== 'unhealthy' && !alert) {
      const forgiven = afterHealthyRun(recovery, record.startedAt?.getTime() ?? null, now, this.options.schedule);
      if (forgiven !== recovery) this.stores.recovery.put(forgiven);
      else if (recovery.attempts > 0 && !this.timers.has(id)) {
        // look again when the reset period has passed, to forgive it
        this.schedule(
          id,
          Math.max(1000, this.options.schedule.resetAfterMs - (now - (record.startedAt?.getTime() ?? now)) + 100),
        );
      }
      return;
    }
    if (this.bootPending && record.state !== 'running') return;
    const desired = this.intent.desired(key);
    const needsImage = record.state !== 'running' && desired?.desired === 'running';
    const imagePresent = needsImage ? await this.engine.imageExists(record.image).catch(() => true) : true;
    const diagnosis = diagnose({ record, desired, recovery, imagePresent, now, ...(alert ? { alert } : {}) });
    await this.follow(record, key, recovery, diagnosis, alert);
  }

  private async follow(
    record: ContainerRecord,
    key: string,
    recovery: RecoveryState,
    diagnosis: Diagnosis,
    alert: AlertRequest | undefined,
  ): Promise<void> {
    const now = this.clock();
    if (alert && diagnosis.kind !== 'act' && diagnosis.kind !== 'wait') {
      this.alertRequests.delete(key);
      this.note(record, key, {
        action: 'none',
        reason: `alert ${alert.alertname} asks for ${alert.action}; not acting: ${diagnosis.reason}`,
      });
    }
    switch (diagnosis.kind) {
      case 'healthy':
      case 'leave':
        return;
      case 'wait':
        this.schedule(record.id, diagnosis.recheckInMs);
        return;
      case 'report':
        this.report(record, key, 'recovery.report', diagnosis.reason);
        return;
      case 'act': {
        const permitted = actionPermitted(record.labels, this.options.autoheal, diagnosis.action);
        if (!permitted.allowed) {
          this.alertRequests.delete(key);
          this.report(record, key, 'recovery.skipped', `${diagnosis.reason}; not acting: ${permitted.why}`);
          return;
        }
        const due = actionDue(recovery, now, this.options.schedule);
        if (due.kind === 'wait') {
          this.schedule(record.id, due.waitMs);
          return;
        }
        if (due.kind === 'given-up') return;
        if (due.kind === 'give-up') {
          this.giveUp(record, key, recovery, diagnosis.reason);
          return;
        }
        // one firing alert, one reconcile: acting on it again waits for the alert to fire anew
        this.alertRequests.delete(key);
        await this.act(record, diagnosis.action, diagnosis.reason, { counted: true, problem: diagnosis.problem });
      }
    }
  }

  private giveUp(record: ContainerRecord, key: string, recovery: RecoveryState, reason: string): void {
    const now = this.clock();
    this.stores.recovery.put({ ...recovery, gaveUpAt: now });
    this.note(record, key, { action: 'give-up', reason, attempts: recovery.attempts });
    this.bus.publish({
      type: 'recovery.gave_up',
      container: { id: record.shortId, name: record.name },
      data: { reason, attempts: recovery.attempts },
    });
    this.logger.warn({ container: record.name, attempts: recovery.attempts, reason }, 'gave up recovering');
  }

  /**
   * Takes one action on one container, recording it and what it changed. The caller holds the
   * container (busy). An uncounted action (after a restart of the engine) leaves the backoff alone.
   */
  private async act(
    record: ContainerRecord,
    action: RecoveryAction,
    reason: string,
    how: { counted: boolean; problem?: string | undefined; trigger?: BootTrigger },
  ): Promise<{ outcome: ActionOutcome; error?: string }> {
    const key = containerKey(record);
    const startedAt = this.clock();
    this.bus.publish({
      type: 'recovery.started',
      container: { id: record.shortId, name: record.name },
      data: { action, reason },
    });
    let outcome: ActionOutcome = 'success';
    let error: string | undefined;
    try {
      await this.limit(() => this.perform(record, action));
    } catch (err) {
      outcome = 'failure';
      error = (err as { json?: { message?: string } }).json?.message ?? (err as Error).message;
    }
    const now = this.clock();
    const before = this.stores.recovery.get(key);
    const recovery = how.counted
      ? afterAction(before, now, this.options.schedule, outcome === 'failure' ? (how.problem ?? null) : null)
      : before;
    if (how.counted) this.stores.recovery.put(recovery);
    const data = {
      action,
      reason,
      outcome,
      ...(error ? { error } : {}),
      attempt: recovery.attempts,
      counted: how.counted,
      ...(how.trigger ? { trigger: how.trigger } : {}),
      nextAllowedAt: new Date(recovery.nextAt).toISOString(),
      ms: now - startedAt,
    };
    this.note(record, key, data);
    this.bus.publish({ type: 'recovery.action', container: { id: record.shortId, name: record.name }, data });
    this.emit('action', { action, outcome });
    this.logger[outcome === 'success' ? 'info' : 'warn'](
      { container: record.name, action, reason, outcome, ...(error ? { err: error } : {}), attempt: recovery.attempts },
      'recovery action',
    );
    // see whether it helped (its events usually say so first), or try again when the backoff allows
    this.schedule(record.id, Math.max(recovery.nextAt - now, outcome === 'success' ? SETTLE_MS : 1000));
    return { outcome, ...(error ? { error } : {}) };
  }

  private async perform(record: ContainerRecord, action: RecoveryAction): Promise<void> {
    this.intent.markOwnStart(record.id);
    switch (action) {
      case 'restart':
        return this.engine.restart(record.id);
      case 'start':
        return this.engine.start(record.id);
      case 'recreate':
        return this.intent.markOwnStart(await this.engine.recreate(record.id));
      case 'pull':
        await this.engine.pull(record.image);
        return this.intent.markOwnStart(await this.engine.recreate(record.id));
    }
  }

  /** History is worth keeping but not worth failing an action over. */
  private note(record: ContainerRecord, key: string, data: Record<string, unknown>): void {
    try {
      this.stores.history.add({
        key,
        containerId: record.id,
        name: record.name,
        at: this.clock(),
        kind: 'action',
        data,
      });
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, container: record.name }, 'recovery history not written');
    }
  }

  /** A problem vigil will not or cannot fix: said once, and again when it comes back after a quiet spell. */
  private report(
    record: ContainerRecord,
    key: string,
    type: 'recovery.report' | 'recovery.skipped',
    reason: string,
  ): void {
    const now = this.clock();
    const last = this.lastReported.get(key);
    this.lastReported.set(key, { reason, seenAt: now });
    if (last?.reason === reason && now - last.seenAt < this.options.reportQuietMs) return;
    this.note(record, key, { action: type.replace('recovery.', ''), reason });
    this.bus.publish({ type, container: { id: record.shortId, name: record.name }, data: { reason } });
  }
}
