import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { runningHealth } from '../../containers/health.js';
import type { ContainerEngine } from '../../docker/engine.js';
import type { EngineEvents } from '../../docker/events.js';
import type { Inventory, InventoryEntry } from '../../docker/inventory.js';
import type { ContainerRecord } from '../../docker/types.js';
import { verdictChanged, type ProbeHealth } from '../../probes/state.js';
import { listen } from '../../listen.js';
import type { EventBus } from '../../streams/event-bus.js';
import { RecoveryActor, type ActionHow, type ActionOutcome, type ActionResult } from './actor.js';
import type { BootStep, BootTrigger } from '../boot/boot-plan.js';
import { BootTiming, planBootRound, reportBootRound, type BootStepOutcome } from '../boot/boot-reconcile.js';
import type { FollowStep } from '../dependants/dependants.js';
import type { DependantChain } from '../dependants/dependant-follower.js';
import { dependantStep, reportChain, type ChainStep } from '../dependants/dependant-step.js';
import { diagnose, type AlertAction, type AlertRequest } from '../decisions/diagnosis.js';
import { containerKey } from '../identity.js';
import type { IntentTracker } from '../intent/intent-tracker.js';
import { KeyedTimers } from '../keyed-timers.js';
import { recoveryStates } from './recovery-states.js';
import type { MedicOptions, MedicStores } from './medic-options.js';
import { nextStep, reviewHealthyRun } from '../decisions/next-step.js';
import type { RecoveryAction } from '../decisions/policy.js';
import { SingleFlight } from './single-flight.js';
import { predatesOwnStart } from '../decisions/stale-record.js';

/** After a successful action, when to look again if no event comes first. */
const SETTLE_MS = 5_000;
/** How soon to look again at a container whose record is older than the medic's own start of it. */
const STALE_RECHECK_MS = 1_000;

/**
 * The medic: the one place vigil acts on containers on its own. Reading order, and how control flows:
 *
 * 1. Triggers: the inventory's changes (each engine event, after its inspection), a firing alert
 *    (alertFiring), the periodic sweep, and the medic's own timers all come to schedule(), then
 *    evaluate(). One evaluation per container at a time (single-flight.ts); a trigger that comes while
 *    one runs makes one more evaluation after it.
 * 2. evaluateHeld(): a record older than the medic's own last start of the container is not acted on
 *    (decisions/stale-record.ts). A running healthy container only has its backoff forgiven in time
 *    (decisions/next-step.ts reviewHealthyRun). Otherwise what it should be doing (intent/
 *    intent-tracker.ts), the diagnosis (decisions/diagnosis.ts) and the step under label policy and
 *    backoff (decisions/next-step.ts, policy.ts, schedule.ts): nothing, look again, report, give up, act.
 * 3. act(): the actor (actor.ts) takes the action on the engine and records it; the medic then looks
 *    again once the action's events have had time to arrive, or when the backoff allows.
 * 4. After a start of vigil or of the engine, once the inventory is in sync and a grace period has
 *    passed (boot/boot-reconcile.ts BootTiming), bootReconcile() carries out the boot plan's steps
 *    (boot/boot-plan.ts, pure), reports them, and sweeps what it did not start. Until then stopped
 *    containers wait.
 * 5. When a container comes back, the dependant follower (dependants/) hands its chain of dependants
 *    to followDependants(), which brings each back as dependants/dependant-step.ts decides.
 *
 * Nothing here decides by itself: the decisions are pure functions, tested on tables; this class reads
 * the state they need, carries out what they return, and keeps the timers.
 */
export class Medic extends EventEmitter<{ action: [{ action: RecoveryAction; outcome: ActionOutcome }] }> {
  private readonly flights = new SingleFlight();
  private readonly timers = new KeyedTimers();
  private readonly actor: RecoveryActor;
  private readonly boot: BootTiming;
  /** Firing alerts whose rule asks for an action, waiting for their reconcile. */
  private readonly alertRequests = new Map<string, AlertRequest>();
  /**
   * By container id, after a successful start or restart: the start time of the record it was taken
   * on. Until the inventory shows a later start, its records predate that action (stale-record.ts).
   */
  private readonly ownStartOf = new Map<string, number | null>();
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
    this.actor = new RecoveryActor(
      {
        engine,
        stores,
        bus,
        markOwnStart: (id) => intent.markOwnStart(id),
        recreating: {
          before: (id) => intent.markRecreating(id),
          after: (oldId, newId) => intent.carry(oldId, newId),
        },
        logger,
      },
      options,
      (done) => this.emit('action', done),
      clock,
    );
    this.boot = new BootTiming(
      options.bootGraceMs,
      (trigger, syncedAt) => this.bootReconcile(trigger, syncedAt),
      logger,
      clock,
    );
  }

  start(): void {
    this.unsubscribe = [
      listen(this.events, { disconnected: () => this.boot.engineGone() }),
      listen(this.inventory, {
        synced: () => this.boot.synced(this.intent.engineWentAwayAt === null ? 'vigil-start' : 'engine-restart'),
        added: this.onInventoryChange,
        changed: this.onInventoryChange,
        probed: (after: InventoryEntry, before: InventoryEntry) =>
          verdictChanged(before.probe, after.probe) && this.onInventoryChange(after),
        removed: this.onRemoved,
      }),
    ];
  }

  /** Until the boot reconcile after a (re)sync has run: what stopped is not acted on meanwhile. */
  get bootPending(): boolean {
    return this.boot.pending;
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
    return {
      timers: this.timers.size,
      busy: this.flights.size,
      reported: this.actor.reportedCount,
      alertRequests: this.alertRequests.size,
      ownStarts: this.ownStartOf.size,
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
   * Brings back the dependants of a container that came back, in the chain's order: each read afresh
   * (what ran before may have changed it), each within the single flight like the medic's own actions,
   * and none counted as an attempt. One `recovery.dependants` event tells what came of the chain.
   */
  followDependants(chain: DependantChain): void {
    this.bringChain(chain).catch((err: Error) =>
      this.logger.error({ err: err.message, container: chain.root.name }, 'following dependants failed'),
    );
  }

  /**
   * Runs a person's request on a container within the medic's single flight, waiting (up to `waitMs`)
   * for an evaluation of the medic's own to finish first: a start of the medic's must not undo their stop.
   */
  async hold(record: ContainerRecord, work: () => Promise<void>, waitMs = 30_000): Promise<void> {
    const key = containerKey(record);
    const until = this.clock() + waitMs;
    while (!(await this.flights.run(key, work)).ran) {
      if (this.clock() > until) throw new Error(`the medic is still acting on ${record.name}; try again`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * The reconcile after a start of vigil or of the engine (production runs it a grace period after every
   * resync; tests call it): carries out the boot plan's steps, reports them, then evaluates the normal
   * way every container it did not start (those come back through their own events).
   */
  async bootReconcile(trigger: BootTrigger, syncedAt: number): Promise<void> {
    // the plan reads the inventory's records: one whose start and crash were seen but whose inspections
    // had not landed still said "created", and was started again 0.3 s after it exited with code 3; and
    // the desired states, once the stops made as the engine went away are judged
    await Promise.all([this.inventory.caughtUp(), this.intent.shutdownJudged()]);
    const context = {
      trigger,
      syncedAt,
      now: this.clock(),
      shutdownWindowMs: this.options.engineShutdownWindowMs,
      scope: this.options.reconcileOnBoot,
      autoheal: this.options.autoheal,
      schedule: this.options.schedule,
      selfId: this.options.selfId,
    };
    const sources = { inventory: this.inventory, intent: this.intent, recovery: this.stores.recovery };
    const round = planBootRound(sources, context);
    const outcomes = await Promise.all(round.steps.map((step) => this.carryOutBootStep(step, trigger)));
    this.intent.engineRestartHandled(round.engineWentAwayAt);
    reportBootRound(round, outcomes, { bus: this.bus, logger: this.logger });
    this.boot.done();
    const actedOn = outcomes.filter((o) => o.kind === 'started' || o.kind === 'failed').map((o) => o.record.id);
    this.sweep(new Set(actedOn));
  }

  private readonly onInventoryChange = ({ record }: InventoryEntry): void => {
    this.schedule(record.id, 0);
  };

  private readonly onRemoved = ({ record }: InventoryEntry): void => {
    this.timers.cancel(record.id);
    this.ownStartOf.delete(record.id);
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
    const actedOnStartedAt = this.ownStartOf.get(id);
    if (actedOnStartedAt !== undefined) {
      // the fresh record comes with the inventory's inspection of the start event; the recheck is in case it does not
      if (predatesOwnStart(record, actedOnStartedAt)) return this.schedule(id, STALE_RECHECK_MS);
      this.ownStartOf.delete(id);
    }
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

  /** One step of the boot plan. A boot start is uncounted: a restart is not the container's failure. */
  private async carryOutBootStep(step: BootStep, trigger: BootTrigger): Promise<BootStepOutcome> {
    const { record } = step;
    const key = containerKey(record);
    switch (step.kind) {
      case 'skip':
        return { kind: 'skipped', record, reason: step.reason };
      case 'later':
        this.schedule(record.id, step.waitMs);
        return { kind: 'skipped', record, reason: step.reason };
      case 'give-up':
        this.actor.giveUp(record, key, this.stores.recovery.get(key), step.reason);
        return { kind: 'skipped', record, reason: step.reason };
      case 'start': {
        const flight = await this.flights.run(key, () => this.bootStart(record, step.reason, trigger));
        return flight.ran ? flight.value : { kind: 'busy', record };
      }
    }
  }

  private async bootStart(record: ContainerRecord, reason: string, trigger: BootTrigger): Promise<BootStepOutcome> {
    try {
      const result = await this.act(record, 'start', reason, { counted: false, trigger });
      if (result.outcome === 'success') return { kind: 'started', record };
      return { kind: 'failed', record, reason: result.error ?? 'unknown' };
    } catch (err) {
      return { kind: 'failed', record, reason: (err as Error).message };
    }
  }

  private async bringChain(chain: DependantChain): Promise<void> {
    const steps: ChainStep[] = [];
    for (const link of chain.order) {
      const dependant = this.inventory.get(link.id)?.record;
      if (dependant) steps.push(await this.bringDependant(chain.root, dependant, link));
    }
    reportChain(chain.root, steps, { bus: this.bus, logger: this.logger });
  }

  private async bringDependant(
    root: ContainerRecord,
    dependant: ContainerRecord,
    link: FollowStep,
  ): Promise<ChainStep> {
    const key = containerKey(dependant);
    const facts = {
      desired: this.intent.desired(key)?.desired,
      recovery: this.stores.recovery.get(key),
      now: this.clock(),
      options: this.options,
    };
    const step = dependantStep(root, dependant, link, facts);
    const { name } = dependant;
    if (step.kind === 'skip') return { name, action: 'none', outcome: 'skipped', reason: step.reason };
    const flight = await this.flights.run(key, () => this.act(dependant, step.action, step.reason, step.how));
    if (!flight.ran) return { name, action: 'none', outcome: 'skipped', reason: 'vigil is already acting on it' };
    const { outcome, error } = flight.value;
    return { name, action: step.action, outcome, reason: error ? `${step.reason}: ${error}` : step.reason };
  }

  /** Acts, then looks again: its events usually say first whether it helped, else when the backoff allows. */
  private async act(
    record: ContainerRecord,
    action: RecoveryAction,
    reason: string,
    how: ActionHow,
  ): Promise<ActionResult> {
    const result = await this.actor.act(record, action, reason, how);
    // a failed action started nothing: the record it was taken on is still the container's latest
    const startsItAnew = action === 'start' || action === 'restart';
    if (result.outcome === 'success' && startsItAnew)
      this.ownStartOf.set(record.id, record.startedAt?.getTime() ?? null);
    const settle = result.outcome === 'success' ? SETTLE_MS : 1000;
    this.schedule(record.id, Math.max(result.nextAt - this.clock(), settle));
    return result;
  }
}
