import { EventEmitter } from 'node:events';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { effectiveHealth } from '../containers/view.js';
import type { ContainerEngine } from '../docker/engine.js';
import type { EngineEvents } from '../docker/events.js';
import type { Inventory } from '../docker/inventory.js';
import type { ContainerEvent, ContainerRecord } from '../docker/types.js';
import type { DesiredStateStore } from '../store/desired-state.js';
import type { HistoryStore } from '../store/history.js';
import type { RecoveryState, RecoveryStateStore } from '../store/recovery-state.js';
import type { EventBus } from '../streams/event-bus.js';
import { diagnose, type Diagnosis } from './diagnosis.js';
import { containerKey } from './identity.js';
import { engineShutdownStops, intentFromEvent, type IntentMemory, type KillStop } from './intent.js';
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
  /** Stops by kill seen this long before the engine went away are the engine's own shutdown. */
  engineShutdownWindowMs: number;
  /** vigil's own container, which it never touches. */
  selfId: string | null;
}

export interface MedicStores {
  desired: DesiredStateStore;
  recovery: RecoveryStateStore;
  history: HistoryStore;
}

export type ActionOutcome = 'success' | 'failure';

interface MedicEvents {
  action: [{ action: RecoveryAction; outcome: ActionOutcome }];
}

/**
 * The medic: learns what each container should be doing from the engine's events, and brings back
 * the ones that should run but do not, through policy and backoff. Decisions are pure (diagnosis,
 * intent, policy, schedule); this class does the I/O and keeps one action per container at a time.
 */
export class Medic extends EventEmitter<MedicEvents> {
  private readonly memory = new Map<string, IntentMemory>();
  /** Stops by kill not yet proven to be the user's: the engine may be shutting down. */
  private recentKillStops: (KillStop & { previous: ReturnType<DesiredStateStore['get']>; recordedAt: number })[] = [];
  private readonly busy = new Set<string>();
  private readonly again = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Containers vigil itself is starting: their start events are not a person's. */
  private readonly ownStarts = new Map<string, number>();
  private readonly limit: ReturnType<typeof pLimit>;
  /** Until the boot reconcile has run, stopped containers wait for it. */
  private bootPending = true;
  private engineWentAwayAt: number | null = null;
  private lastReportedReason = new Map<string, string>();
  /** Alerts firing about a container, waiting for their reconcile. */
  private readonly firingAlerts = new Map<string, string>();
  private stopped = false;

  constructor(
    private readonly engine: ContainerEngine,
    private readonly events: EngineEvents,
    private readonly inventory: Inventory,
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
    this.events.on('event', this.onEngineEvent);
    this.events.on('disconnected', this.onEngineGone);
    this.inventory.on('synced', this.onSynced);
    this.inventory.on('added', this.onInventoryChange);
    this.inventory.on('changed', this.onInventoryChange);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.events.off('event', this.onEngineEvent);
    this.events.off('disconnected', this.onEngineGone);
    this.inventory.off('synced', this.onSynced);
    this.inventory.off('added', this.onInventoryChange);
    this.inventory.off('changed', this.onInventoryChange);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    while (this.busy.size > 0) await new Promise((r) => setTimeout(r, 50));
  }

  /** The recovery state of every container that has one, for metrics. */
  recoveryStates(): { record: ContainerRecord; state: RecoveryState }[] {
    // one query for all, not one per container: this runs at every scrape
    const states = new Map(this.stores.recovery.all().map((r) => [r.key, r]));
    const out: { record: ContainerRecord; state: RecoveryState }[] = [];
    for (const { record } of this.inventory.all()) {
      const state = states.get(containerKey(record));
      if (state) out.push({ record, state });
    }
    return out;
  }

  /** An alert names a container: reconcile it through the same policy and backoff. False when vigil does not know it. */
  alertFiring(containerRef: string, alertname: string): boolean {
    const entry = this.findByRef(containerRef);
    if (!entry) return false;
    this.firingAlerts.set(containerKey(entry.record), alertname);
    this.schedule(entry.record.id, 0);
    return true;
  }

  alertResolved(containerRef: string, alertname: string): void {
    const entry = this.findByRef(containerRef);
    if (entry && this.firingAlerts.get(containerKey(entry.record)) === alertname) this.firingAlerts.delete(containerKey(entry.record));
  }

  private findByRef(ref: string) {
    const all = this.inventory.all();
    return all.find((e) => e.record.name === ref || e.record.id === ref) ?? (ref.length >= 4 ? all.find((e) => e.record.id.startsWith(ref)) : undefined);
  }

  /** Evaluates every container: the periodic safety net for missed events. */
  sweep(except: ReadonlySet<string> = new Set()): void {
    for (const entry of this.inventory.all()) if (!except.has(entry.record.id)) this.schedule(entry.record.id, 0);
  }

  private readonly onEngineEvent = (event: ContainerEvent): void => {
    const record = this.inventory.get(event.id)?.record;
    const key = containerKey({ name: event.name || record?.name || event.id, labels: event.attributes });
    const now = this.clock();
    const { change, memory } = intentFromEvent(event, this.memory.get(event.id) ?? {}, record?.restartPolicy.name ?? 'no');
    if (Object.keys(memory).length > 0) this.memory.set(event.id, memory);
    else this.memory.delete(event.id);
    if (event.action === 'destroy') this.memory.delete(event.id);
    if (event.action === 'start' && !this.ownStarts.has(event.id)) {
      // a person (or their tooling) started it: whatever vigil had given up on is theirs again
      const recovery = this.stores.recovery.get(key);
      if (recovery.gaveUpAt !== null) this.stores.recovery.put({ ...recovery, gaveUpAt: null, attempts: 0, nextAt: 0 });
    }
    if (!change) return;
    const previous = this.stores.desired.get(key);
    if (previous?.desired === change.desired && previous.reason === change.reason) return;
    this.stores.desired.put({ key, containerId: event.id, name: event.name, desired: change.desired, source: 'event', reason: change.reason, updatedAt: now });
    this.stores.history.add({ key, containerId: event.id, name: event.name, at: now, kind: 'intent', data: { desired: change.desired, reason: change.reason } });
    if (change.byKill) {
      const dieAt = Number(event.timeNano / 1_000_000n);
      this.recentKillStops.push({ key, killAt: change.killAt ?? dieAt, dieAt, previous, recordedAt: now });
      this.recentKillStops = this.recentKillStops.filter((k) => dieAt - k.dieAt <= this.options.engineShutdownWindowMs);
    }
  };

  /** The engine went away: the stops it just made while shutting down were not anyone's wish. */
  private readonly onEngineGone = (): void => {
    const now = this.clock();
    this.engineWentAwayAt = now;
    this.bootPending = true;
    const recent = this.recentKillStops.filter((k) => now - k.dieAt <= this.options.engineShutdownWindowMs);
    for (const stop of engineShutdownStops(recent, now) as typeof recent) {
      if (!stop.previous || stop.previous.desired !== 'running') continue;
      const current = this.stores.desired.get(stop.key);
      if (current?.desired !== 'stopped' || current.updatedAt !== stop.recordedAt) continue;
      this.stores.desired.put({ ...stop.previous, updatedAt: now, reason: `${stop.previous.reason}; the stop came from the engine shutting down` });
      this.logger.info({ container: stop.previous.name }, 'stop taken back: the engine was shutting down');
    }
    this.recentKillStops = [];
  };

  private readonly onSynced = (): void => {
    const trigger = this.engineWentAwayAt === null ? 'vigil-start' : 'engine-restart';
    const syncedAt = this.clock();
    const timer = setTimeout(() => void this.bootReconcile(trigger, syncedAt), this.options.bootGraceMs);
    this.timers.set('boot', timer);
  };

  private readonly lastStatus = new Map<string, string>();

  private readonly onInventoryChange = ({ record }: { record: ContainerRecord }): void => {
    const key = containerKey(record);
    const now = this.clock();
    // the timeline behind the history API's daily health score
    const health = effectiveHealth(record);
    const status = `${record.state}/${health}`;
    if (this.lastStatus.get(key) !== status) {
      this.lastStatus.set(key, status);
      this.stores.history.add({ key, containerId: record.id, name: record.name, at: now, kind: 'status', data: { state: record.state, health, good: record.state === 'running' && health === 'healthy' } });
    }
    // a container running when vigil first meets it (vigil is new here) is taken to be meant to run
    if (record.state === 'running' && !this.stores.desired.get(key)) {
      this.stores.desired.put({ key, containerId: record.id, name: record.name, desired: 'running', source: 'boot', reason: 'running when vigil first saw it', updatedAt: now });
    }
    this.schedule(record.id, 0);
  };

  private schedule(id: string, inMs: number): void {
    const existing = this.timers.get(id);
    if (existing) clearTimeout(existing);
    const timer = setTimeout(() => {
      this.timers.delete(id);
      void this.evaluate(id);
    }, inMs);
    this.timers.set(id, timer);
  }

  /**
   * After vigil starts, and after the engine comes back: every container that should run but does
   * not is started (the engine's own restart policies had bootGraceMs first), and one event lists them.
   */
  async bootReconcile(trigger: 'vigil-start' | 'engine-restart', syncedAt: number): Promise<void> {
    this.timers.delete('boot');
    const recovered: string[] = [];
    const actedOn = new Set<string>();
    const failed: { name: string; reason: string }[] = [];
    const skipped: { name: string; reason: string }[] = [];
    const wentAway = this.engineWentAwayAt;
    await Promise.all(
      this.inventory.all().map(async ({ record }) => {
        if (record.state !== 'exited' && record.state !== 'dead' && record.state !== 'created') return;
        if (record.id === this.options.selfId) return;
        // down since before the (re)start; a crash during the grace period is an ordinary crash
        if (record.finishedAt && record.finishedAt.getTime() > syncedAt) return;
        const key = containerKey(record);
        const desired = this.stores.desired.get(key);
        if (desired?.desired !== 'running') return;
        const permitted = actionPermitted(record.labels, this.options.reconcileOnBoot, 'start');
        if (!permitted.allowed) {
          skipped.push({ name: record.name, reason: permitted.why });
          return;
        }
        // the same backoff as any action: a vigil restarted mid-backoff keeps to the schedule
        const due = actionDue(this.stores.recovery.get(key), this.clock(), this.options.schedule);
        if (due.kind !== 'due') {
          skipped.push({ name: record.name, reason: due.kind === 'wait' ? `backing off for ${Math.ceil(due.waitMs / 1000)} s` : 'vigil has given up on it' });
          if (due.kind === 'wait') this.schedule(record.id, due.waitMs);
          return;
        }
        if (this.busy.has(key)) return;
        this.busy.add(key);
        actedOn.add(record.id);
        const result = await this.act(record, 'start', trigger === 'engine-restart' ? 'stopped when the engine restarted' : 'should run; found stopped when vigil started');
        this.busy.delete(key);
        if (result.outcome === 'success') recovered.push(record.name);
        else failed.push({ name: record.name, reason: result.error ?? 'unknown' });
      }),
    );
    this.bootPending = false;
    if (wentAway === this.engineWentAwayAt) this.engineWentAwayAt = null;
    if (recovered.length + failed.length > 0 || trigger === 'engine-restart') {
      this.bus.publish({ type: 'recovery.boot', data: { trigger, recovered: recovered.sort(), failed, skipped } });
      this.logger.info({ trigger, recovered, failed }, 'reconciled after restart');
    }
    // containers whose turn was held back by the boot reconcile; those it started are looked at again
    // when their backoff allows (act schedules that), not now, before their start has reached the inventory
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
    let recovery = this.stores.recovery.get(key);
    const firingAlert = this.firingAlerts.get(key);
    if (record.state === 'running' && effectiveHealth(record) !== 'unhealthy' && !firingAlert) {
      const forgiven = afterHealthyRun(recovery, record.startedAt?.getTime() ?? null, now, this.options.schedule);
      if (forgiven !== recovery) this.stores.recovery.put(forgiven);
      else if (recovery.attempts > 0 && !this.timers.has(id)) {
        // look again when the reset period has passed, to forgive it
        this.schedule(id, Math.max(1000, this.options.schedule.resetAfterMs - (now - (record.startedAt?.getTime() ?? now)) + 100));
      }
      return;
    }
    if (this.bootPending && record.state !== 'running') return;
    const desired = this.stores.desired.get(key);
    const needsImage = record.state !== 'running' && desired?.desired === 'running';
    const imagePresent = needsImage ? await this.engine.imageExists(record.image).catch(() => true) : true;
    const diagnosis = diagnose({ record, desired, recovery, imagePresent, stoppedByEngineRestart: false, now, ...(firingAlert ? { firingAlert } : {}) });
    await this.follow(record, key, recovery, diagnosis);
  }

  private async follow(record: ContainerRecord, key: string, recovery: RecoveryState, diagnosis: Diagnosis): Promise<void> {
    const now = this.clock();
    switch (diagnosis.kind) {
      case 'healthy':
      case 'leave':
        return;
      case 'wait':
        this.schedule(record.id, diagnosis.recheckInMs);
        return;
      case 'report':
        this.reportOnce(record, key, 'recovery.report', diagnosis.reason);
        return;
      case 'act': {
        const permitted = actionPermitted(record.labels, this.options.autoheal, diagnosis.action);
        if (!permitted.allowed) {
          this.firingAlerts.delete(key);
          this.reportOnce(record, key, 'recovery.skipped', `${diagnosis.reason}; not acting: ${permitted.why}`);
          return;
        }
        const due = actionDue(recovery, now, this.options.schedule);
        if (due.kind === 'wait') {
          this.schedule(record.id, due.waitMs);
          return;
        }
        if (due.kind === 'given-up') return;
        if (due.kind === 'give-up') {
          this.stores.recovery.put({ ...recovery, gaveUpAt: now });
          this.record(record, key, now, 'action', { action: 'give-up', reason: diagnosis.reason, attempts: recovery.attempts });
          this.bus.publish({
            type: 'recovery.gave_up',
            container: { id: record.shortId, name: record.name },
            data: { reason: diagnosis.reason, attempts: recovery.attempts },
          });
          this.logger.warn({ container: record.name, attempts: recovery.attempts, reason: diagnosis.reason }, 'gave up recovering');
          return;
        }
        // one firing alert, one reconcile: acting on it again waits for the alert to fire anew
        if (this.firingAlerts.has(key)) this.firingAlerts.delete(key);
        await this.act(record, diagnosis.action, diagnosis.reason, diagnosis.problem);
      }
    }
  }

  /** Takes one action on one container, recording it and what it changed. The caller holds the container (busy). */
  private async act(record: ContainerRecord, action: RecoveryAction, reason: string, problem?: string): Promise<{ outcome: ActionOutcome; error?: string }> {
    const key = containerKey(record);
    const startedAt = this.clock();
    this.bus.publish({ type: 'recovery.started', container: { id: record.shortId, name: record.name }, data: { action, reason } });
    let outcome: ActionOutcome = 'success';
    let error: string | undefined;
    let lastProblem: string | null = null;
    try {
      await this.limit(async () => {
        this.ownStarts.set(record.id, startedAt);
        try {
          switch (action) {
            case 'restart':
              await this.engine.restart(record.id);
              break;
            case 'start':
              await this.engine.start(record.id);
              break;
            case 'recreate':
              this.ownStarts.set(await this.engine.recreate(record.id), startedAt);
              break;
            case 'pull':
              await this.engine.pull(record.image);
              this.ownStarts.set(await this.engine.recreate(record.id), startedAt);
              break;
          }
        } finally {
          setTimeout(() => this.ownStarts.delete(record.id), 30_000).unref();
        }
      });
    } catch (err) {
      outcome = 'failure';
      error = (err as { json?: { message?: string } }).json?.message ?? (err as Error).message;
      lastProblem = problem ?? null;
    }
    const now = this.clock();
    const recovery = afterAction(this.stores.recovery.get(key), now, this.options.schedule, lastProblem);
    this.stores.recovery.put(recovery);
    const data = { action, reason, outcome, ...(error ? { error } : {}), attempt: recovery.attempts, nextAllowedAt: new Date(recovery.nextAt).toISOString(), ms: now - startedAt };
    this.record(record, key, now, 'action', data);
    this.bus.publish({ type: 'recovery.action', container: { id: record.shortId, name: record.name }, data });
    this.emit('action', { action, outcome });
    this.logger[outcome === 'success' ? 'info' : 'warn'](
      { container: record.name, action, reason, outcome, ...(error ? { err: error } : {}), attempt: recovery.attempts },
      'recovery action',
    );
    // see whether it helped, or try again when the backoff allows
    this.schedule(record.id, Math.max(0, recovery.nextAt - now));
    return { outcome, ...(error ? { error } : {}) };
  }

  private record(record: ContainerRecord, key: string, at: number, kind: 'action', data: Record<string, unknown>): void {
    this.stores.history.add({ key, containerId: record.id, name: record.name, at, kind, data });
  }

  private reportOnce(record: ContainerRecord, key: string, type: string, reason: string): void {
    if (this.lastReportedReason.get(key) === reason) return;
    this.lastReportedReason.set(key, reason);
    this.record(record, key, this.clock(), 'action', { action: type.replace('recovery.', ''), reason });
    this.bus.publish({ type, container: { id: record.shortId, name: record.name }, data: { reason } });
  }
}
