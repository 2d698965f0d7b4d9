import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { runningHealth } from '../containers/health.js';
import type { ContainerEngine } from '../docker/engine.js';
import type { EngineEvents } from '../docker/events.js';
import type { Inventory, InventoryEntry } from '../docker/inventory.js';
import type { ContainerRecord } from '../docker/types.js';
import { verdictChanged, type ProbeHealth } from '../probes/state.js';
import { listen } from '../listen.js';
import type { EventBus } from '../streams/event-bus.js';
import { RecoveryActor, type ActionOutcome } from './actor.js';
import { BootReconciler } from './boot-reconcile.js';
import type { BootTrigger } from './boot-plan.js';
import { diagnose, type AlertAction, type AlertRequest } from './diagnosis.js';
import { containerKey } from './identity.js';
import type { IntentTracker } from './intent-tracker.js';
import { KeyedTimers } from './keyed-timers.js';
import { recoveryStates } from './recovery-states.js';
import type { MedicOptions, MedicStores } from './medic-options.js';
import { nextStep, reviewHealthyRun } from './next-step.js';
import type { RecoveryAction } from './policy.js';
import { SingleFlight } from './single-flight.js';

type ActHow = Parameters<RecoveryActor['act']>[3];
type ActResult = Awaited<ReturnType<RecoveryActor['act']>>;

/** After a successful action, when to look again if no event comes first. */
const SETTLE_MS = 5_000;

/**
 * The medic: evaluates a container (diagnosis, pure), decides under policy and backoff (pure), and
 * has the actor act, one evaluation per container at a time. What each container should be doing
 * comes from the intent tracker; what to do after a restart of vigil or the engine from the boot plan.
 */
export class Medic extends EventEmitter<{ action: [{ action: RecoveryAction; outcome: ActionOutcome }] }> {
  private readonly flights = new SingleFlight();
  private readonly timers = new KeyedTimers();
  private readonly actor: RecoveryActor;
  private readonly boot: BootReconciler;
  /** Firing alerts whose rule asks for an action, waiting for their reconcile. */
  private readonly alertRequests = new Map<string, AlertRequest>();
  private unsubscribe: (() => void)[] = [];
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
    const markOwnStart = (id: string) => intent.markOwnStart(id);
    const recreating = {
      before: (id: string) => intent.markRecreating(id),
      after: (oldId: string, newId: string | null) => intent.carry(oldId, newId),
    };
    const onAction = (done: { action: RecoveryAction; outcome: ActionOutcome }) => this.emit('action', done);
    const actorParts = { engine, stores, bus, markOwnStart, recreating, logger };
    this.actor = new RecoveryActor(actorParts, options, onAction, clock);
    const { actor, flights } = this;
    const bootParts = {
      ...{ inventory, intent, actor, flights, bus, logger, recovery: stores.recovery },
      start: (record: ContainerRecord, reason: string, trigger: BootTrigger) =>
        this.act(record, 'start', reason, { counted: false, trigger }),
      later: (id: string, inMs: number) => this.schedule(id, inMs),
    };
    const { engineShutdownWindowMs: shutdownWindowMs, reconcileOnBoot: scope, schedule, selfId } = options;
    const bootOptions = { graceMs: options.bootGraceMs, shutdownWindowMs, scope, schedule, selfId };
    this.boot = new BootReconciler(bootParts, bootOptions, (started) => this.sweep(started), clock);
  }

  start(): void {
    this.unsubscribe = [
      listen(this.events, { disconnected: () => this.boot.engineGone() }),
      listen(this.inventory, {
        synced: () => this.boot.synced(),
        added: this.onInventoryChange,
        changed: this.onInventoryChange,
        probed: (after: InventoryEntry, before: InventoryEntry) =>
          verdictChanged(before.probe, after.probe) && this.onInventoryChange(after),
        removed: this.onRemoved,
      }),
    ];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe.forEach((off) => off());
    this.timers.clear();
    this.boot.stop();
    await this.flights.idle();
  }

  /** Per-container entries held in memory: they must follow the containers the engine has, not grow. */
  memoryFootprint(): Record<string, number> {
    const { timers, flights, actor, alertRequests } = this;
    return {
      timers: timers.size,
      busy: flights.size,
      reported: actor.reportedCount,
      alertRequests: alertRequests.size,
    };
  }

  /** The recovery state of every container that has one, for metrics. */
  recoveryStates(): ReturnType<typeof recoveryStates> {
    return recoveryStates(this.inventory.all(), this.stores.recovery);
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
      const reason = `alert ${alertname} recorded; its rule asks for no action (no vigil_action label)`;
      this.actor.note(record, key, { action: 'none', reason });
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

  async evaluate(id: string): Promise<void> {
    if (this.stopped) return;
    const entry = this.inventory.get(id);
    if (!entry || entry.record.id === this.options.selfId) return;
    const { record } = entry;
    const key = containerKey(record);
    await this.flights.run(
      key,
      () => this.evaluateHeld(record, key, id, entry.probe ?? null),
      () => this.schedule(id, 0),
    );
  }

  /**
   * For the dependant follower: one action on a container within the medic's single flight (so never
   * beside the medic's own on it), recorded like the medic's; null when the medic is busy with it.
   */
  async actAlone(
    record: ContainerRecord,
    action: RecoveryAction,
    reason: string,
    how: ActHow,
  ): Promise<ActResult | null> {
    const box: { result: ActResult | null } = { result: null };
    await this.flights.run(
      containerKey(record),
      async () => void (box.result = await this.act(record, action, reason, how)),
    );
    return box.result;
  }

  /**
   * Runs a person's request on a container within the medic's single flight, waiting (up to `waitMs`)
   * for an evaluation of the medic's own to finish first: a start of the medic's must not undo their stop.
   */
  async hold(record: ContainerRecord, work: () => Promise<void>, waitMs = 30_000): Promise<void> {
    const key = containerKey(record);
    const until = this.clock() + waitMs;
    while (!(await this.flights.run(key, work))) {
      if (this.clock() > until) throw new Error(`the medic is still acting on ${record.name}; try again`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Runs the boot reconcile now (tests; production runs it after every resync). */
  bootReconcile(trigger: BootTrigger, syncedAt: number): Promise<void> {
    return this.boot.run(trigger, syncedAt);
  }

  private readonly onInventoryChange = ({ record }: InventoryEntry): void => {
    this.schedule(record.id, 0);
  };

  private readonly onRemoved = ({ record }: InventoryEntry): void => {
    this.timers.cancel(record.id);
    const key = containerKey(record);
    // a recreated container keeps its key: forget only what belongs to no container any more
    if (this.inventory.all().some((e) => containerKey(e.record) === key)) return;
    this.actor.forget(key);
    this.alertRequests.delete(key);
    this.flights.forget(key);
  };

  private schedule(id: string, inMs: number): void {
    if (this.stopped) return;
    this.timers.set(id, inMs, () => {
      this.evaluate(id).catch((err: Error) =>
        this.logger.error(
          { err: err.message, id: id.slice(0, 12) },
          'evaluation failed; the next event or sweep tries',
        ),
      );
    });
  }

  private async evaluateHeld(
    record: ContainerRecord,
    key: string,
    id: string,
    probe: ProbeHealth | null,
  ): Promise<void> {
    // with the engine gone nothing can be done, and the resync when it is back brings every container here
    if (!this.events.connected) return;
    const now = this.clock();
    const recovery = this.stores.recovery.get(key);
    const alert = this.alertRequests.get(key);
    if (record.state === 'running' && runningHealth(record, probe) !== 'unhealthy' && !alert) {
      const startedAt = record.startedAt?.getTime() ?? null;
      const review = reviewHealthyRun(recovery, startedAt, now, this.options.schedule);
      if (review.state !== recovery) this.stores.recovery.put(review.state);
      else if (review.recheckInMs !== null && !this.timers.has(id)) this.schedule(id, review.recheckInMs);
      return;
    }
    if (this.boot.pending && record.state !== 'running') return;
    const desired = this.intent.desired(key);
    const needsImage = record.state !== 'running' && desired?.desired === 'running';
    const imagePresent = needsImage ? await this.engine.imageExists(record.image).catch(() => true) : true;
    const diagnosis = diagnose({ record, desired, recovery, imagePresent, now, probe, ...(alert ? { alert } : {}) });
    const { labels } = record;
    const decision = nextStep({ diagnosis, alert, labels, recovery, now: this.clock(), options: this.options });
    if (decision.alertAnswered) this.alertRequests.delete(key);
    if (decision.alertNote) this.actor.note(record, key, { action: 'none', reason: decision.alertNote });
    const { step } = decision;
    switch (step.kind) {
      case 'nothing':
        return;
      case 'recheck':
        return this.schedule(record.id, step.inMs);
      case 'report':
        return this.actor.report(record, key, step.event, step.reason);
      case 'give-up':
        return this.actor.giveUp(record, key, recovery, step.reason);
      case 'act': {
        const how = { counted: true, ...(step.problem !== undefined ? { problem: step.problem } : {}) };
        await this.act(record, step.action, step.reason, how);
      }
    }
  }

  /** Acts, then looks again: its events usually say first whether it helped, else when the backoff allows. */
  private async act(
    record: ContainerRecord,
    action: RecoveryAction,
    reason: string,
    how: ActHow,
  ): ReturnType<RecoveryActor['act']> {
    const result = await this.actor.act(record, action, reason, how);
    const settle = result.outcome === 'success' ? SETTLE_MS : 1000;
    this.schedule(record.id, Math.max(result.nextAt - this.clock(), settle));
    return result;
  }
}
