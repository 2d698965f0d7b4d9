import type { Logger } from 'pino';
import type { EngineEvents } from '../../docker/events.js';
import type { Inventory, InventoryEntry } from '../../docker/inventory.js';
import type { ContainerEvent, ContainerRecord } from '../../docker/types.js';
import type { DesiredState } from '../../store/desired-state.js';
import { listen } from '../../listen.js';
import { containerKey, idKey } from '../identity.js';
import type { NewConnectionVerdict } from '../../docker/unreachable.js';
import {
  engineShutdownStops,
  engineWasClosing,
  intentFromEvent,
  intentFromExit,
  type IntentChange,
  type IntentMemory,
  type KillStop,
} from '../decisions/intent.js';
import { OWN_ACTION_MS, recentGaps, stopCause, type OwnAction, type StreamGap } from '../decisions/stop-cause.js';
import { ContainerRows, type IntentStores } from './container-rows.js';
import type { ShutdownWitness } from './shutdown-witness.js';

interface PendingKillStop extends KillStop {
  id: string;
  name: string;
  previous: DesiredState | undefined;
  recordedAt: number;
  /** What the engine said to a new connection after the stop's first kill (ShutdownWitness)… */
  engineAfterKill: Promise<NewConnectionVerdict>;
  /** …once it has said it. */
  said?: NewConnectionVerdict;
}

/** A stop the engine was closing at is kept this long for the stream's end: no shutdown lasts longer. */
const CLOSING_STOPS_KEPT_MS = 10 * 60_000;

/** Who asked for a stop or start through vigil's API: the API with its token, or the page with its session. */
export type PersonSource = 'api' | 'page';

/**
 * What each container should be doing, learned from the engine's events: a start means run, a kill
 * before the die means a person stopped it, a die alone is a crash. Stops made by the engine's own
 * shutdown are taken back when its stream closes, or when vigil stops first: those after whose kill the
 * engine took no new connection (shutdown-witness.ts). What it learns is kept in the container's rows
 * (container-rows.ts).
 */
export class IntentTracker {
  private readonly memory = new Map<string, IntentMemory>();
  private recentKillStops: PendingKillStop[] = [];
  /** Containers vigil itself is starting: their start events are not a person's. */
  private readonly ownStarts = new Map<string, OwnAction>();
  /** Containers vigil is recreating: the removal of the old one is not the end of its rows. */
  private readonly recreating = new Set<string>();
  /** When vigil had no event stream: kills in these are the engine's own (stop-cause.ts). */
  private gaps: StreamGap[] = [];
  private wentAwayAt: number | null = null;
  /** The judgement of the stops made before the engine last went away (onEngineGone). */
  private judging: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void)[] = [];
  private readonly rows: ContainerRows;

  constructor(
    private readonly events: EngineEvents,
    private readonly inventory: Inventory,
    stores: IntentStores,
    private readonly witness: ShutdownWitness,
    private readonly logger: Logger,
    private readonly engineShutdownWindowMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.rows = new ContainerRows(stores, logger);
  }

  start(): void {
    this.unsubscribe = [
      listen(this.events, { event: this.onEngineEvent, disconnected: this.onEngineGone, connected: this.onEngineBack }),
      listen(this.inventory, { added: this.onAdded, changed: this.onSeen, removed: this.onRemoved }),
    ];
  }

  /**
   * The stops heard so far that the engine was closing at are taken back as vigil stops: in a container,
   * vigil is stopped by the same shutdown as the rest, and would never hear its stream end.
   */
  async stop(): Promise<void> {
    this.unsubscribe.forEach((off) => off());
    this.unsubscribe = [];
    const recent = this.recentKillStops;
    this.recentKillStops = [];
    await this.takeBackShutdownStops(recent, this.clock(), { sayKept: false });
  }

  /** When the engine's event stream was last lost, until a boot reconcile has dealt with it. */
  get engineWentAwayAt(): number | null {
    return this.wentAwayAt;
  }

  /** Resolves once the stops made before the engine last went away are judged: the boot reconcile waits. */
  shutdownJudged(): Promise<void> {
    return this.judging;
  }

  engineRestartHandled(at: number | null): void {
    if (this.wentAwayAt === at) this.wentAwayAt = null;
  }

  desired(key: string): DesiredState | undefined {
    return this.rows.desired(key);
  }

  /** vigil is about to act on this container: the kills and the start it causes are not a person's. */
  markOwnStart(id: string): void {
    // the first of a run of attempts is kept: a retry must not move it past the kill it caused
    const now = this.clock();
    const earlier = this.ownStarts.get(id);
    const ongoing = earlier !== undefined && now - earlier.lastAt <= OWN_ACTION_MS;
    this.ownStarts.set(id, { firstAt: ongoing ? earlier.firstAt : now, lastAt: now });
  }

  /** vigil is about to replace this container by a new one: its rows wait for carry(). */
  markRecreating(id: string): void {
    this.recreating.add(id);
  }

  /**
   * vigil replaced container `oldId` by `newId` (same configuration): the desired state, the backoff
   * and the history it earned go with it. Compose services keep their key and need nothing.
   */
  carry(oldId: string, newId: string | null): void {
    this.recreating.delete(oldId);
    const oldGone = !this.inventory.get(oldId);
    if (newId === null || newId === oldId) return oldGone ? this.forgetIfGone(oldId) : undefined;
    if (this.rows.moveTo(idKey(oldId), idKey(newId), newId)) this.forgetIfGone(oldId);
  }

  /**
   * A person asked vigil (its API or page) to stop or start a container: their wish, recorded with who
   * asked. The only way to stop a container that is already exited (waiting in backoff), since the
   * engine's `docker stop` of an exited container sends no event.
   */
  personWish(
    record: { id: string; name: string; labels: Record<string, string> },
    desired: DesiredState['desired'],
    by: PersonSource,
  ): void {
    const key = containerKey(record);
    const reason = `${desired === 'stopped' ? 'stopped' : 'started'} by a person through vigil's ${by === 'page' ? 'page' : 'API'}`;
    const now = this.clock();
    this.rows.putDesired({
      key,
      containerId: record.id,
      name: record.name,
      desired,
      source: 'api',
      reason,
      updatedAt: now,
    });
    if (desired === 'running') this.rows.forgiveBackoff(key, 'any-attempt');
    this.rows.addHistory(key, record, now, { desired, reason, by });
  }

  /**
   * Where no event told vigil what a container should do (it stopped while vigil was away, and the
   * engine no longer holds the events): a labelled container that exited non-zero without a sign of a
   * kill crashed. Returns the desired state then in force.
   */
  learnFromExit(record: ContainerRecord): DesiredState | undefined {
    const key = containerKey(record);
    const known = this.desired(key);
    if (known) return known;
    const change = intentFromExit(record);
    if (!change) return undefined;
    this.record(key, record, change, this.clock(), 'boot');
    return this.desired(key);
  }

  /** Writes what the store refused earlier; true when nothing is left waiting. */
  flush(): boolean {
    return this.rows.flush();
  }

  /** Per-container entries held in memory: they must follow the containers the engine has, not grow. */
  memoryFootprint(): { memory: number; ownStarts: number; unsaved: number; recentKillStops: number } {
    return {
      memory: this.memory.size,
      ownStarts: this.ownStarts.size,
      unsaved: this.rows.unsavedDesired,
      recentKillStops: this.recentKillStops.length,
    };
  }

  get unsavedCount(): number {
    return this.rows.unsavedCount;
  }

  private readonly onEngineEvent = (event: ContainerEvent): void => {
    try {
      this.handleEvent(event);
    } catch (err) {
      // an engine event listener that throws would cut the event stream itself
      this.logger.error({ err: (err as Error).message, action: event.action }, 'engine event not recorded');
    }
  };

  private handleEvent(event: ContainerEvent): void {
    const record = this.inventory.get(event.id)?.record;
    const key = containerKey({ id: event.id, labels: record?.labels ?? event.attributes });
    const now = this.clock();
    const { change: raw, memory } = intentFromEvent(
      event,
      this.memory.get(event.id) ?? {},
      record?.restartPolicy.name ?? 'no',
    );
    if (Object.keys(memory).length > 0 && event.action !== 'destroy') this.memory.set(event.id, memory);
    else this.memory.delete(event.id);
    // the first kill of a stop: whether the engine is closing is asked now, while it can be told
    if (event.action === 'kill' && memory.firstKillAt === Number(event.timeNano / 1_000_000n))
      this.witness.heardKill(event.id, memory.firstKillAt);
    if (event.action === 'destroy') return this.onDestroyed(event.id, key);
    const change = raw?.byKill ? this.stopByWhom(event, raw, now) : raw;
    if (event.action === 'start') this.onStart(event.id, key, now);
    if (!change) return;
    const previous = this.desired(key);
    if (previous?.desired === change.desired && previous.reason === change.reason) return;
    // a person's wish through vigil's API was recorded when they asked; its own events say no more
    const askedJustNow = previous?.source === 'api' && now - previous.updatedAt <= OWN_ACTION_MS;
    if (askedJustNow && previous.desired === change.desired) return;
    const name = event.name || record?.name || event.id;
    this.record(key, { id: event.id, name }, change, now, 'event');
    if (change.byKill) {
      const dieAt = Number(event.timeNano / 1_000_000n);
      const killAt = change.killAt ?? dieAt;
      const engineAfterKill = this.witness.verdictAfter(event.id, killAt);
      const stop: PendingKillStop = {
        id: event.id,
        name,
        key,
        killAt,
        dieAt,
        previous,
        recordedAt: now,
        engineAfterKill,
      };
      void engineAfterKill.then((said) => (stop.said = said));
      this.recentKillStops.push(stop);
      this.recentKillStops = this.recentKillStops.filter((k) => this.stillJudged(k, dieAt));
    }
  }

  /**
   * A stop by kill is a person's only when neither vigil (its own restart) nor the engine (its restore
   * after a crash, while vigil had no stream) made it; the engine's leaves the container meant to run.
   */
  private stopByWhom(event: ContainerEvent, change: IntentChange, now: number): IntentChange | null {
    this.gaps = recentGaps(this.gaps, now, this.engineShutdownWindowMs);
    const killAt = change.killAt ?? Number(event.timeNano / 1_000_000n);
    const cause = stopCause(killAt, { gaps: this.gaps, ownAction: this.ownStarts.get(event.id) });
    if (cause === 'person') return change;
    if (cause === 'vigil') return null;
    const signal = /\(signal \d+\)/.exec(change.reason)?.[0];
    const reason = `stopped by the engine as it restarted${signal ? ` ${signal}` : ''}; still meant to run`;
    return { desired: 'running', reason, byKill: false };
  }

  private record(
    key: string,
    container: { id: string; name: string },
    change: IntentChange,
    now: number,
    source: DesiredState['source'],
  ): void {
    const { desired, reason } = change;
    this.rows.putDesired({
      key,
      containerId: container.id,
      name: container.name,
      desired,
      source,
      reason,
      updatedAt: now,
    });
    // last: history is worth less than the desired state
    this.rows.addHistory(key, container, now, { desired, reason });
  }

  private onStart(id: string, key: string, now: number): void {
    const own = this.ownStarts.get(id);
    this.ownStarts.delete(id);
    if (own !== undefined && now - own.lastAt <= OWN_ACTION_MS) return;
    // a person (or their tooling) started it: whatever vigil had given up on is theirs again
    this.rows.forgiveBackoff(key, 'gave-up');
  }

  /** The engine says it is gone (live, or in the replay of what happened while vigil was away). */
  private onDestroyed(id: string, key: string): void {
    this.ownStarts.delete(id);
    if (!this.recreating.has(id)) this.forgetIfGone(id, key);
  }

  private readonly onEngineBack = (): void => {
    const open = this.gaps.at(-1);
    if (open && open.backAt === null) open.backAt = this.clock();
  };

  /** The engine went away: the stops it just made while shutting down were not anyone's wish. */
  private readonly onEngineGone = (): void => {
    const now = this.clock();
    this.wentAwayAt = now;
    this.gaps = [...recentGaps(this.gaps, now, this.engineShutdownWindowMs), { lostAt: now, backAt: null }];
    const recent = this.recentKillStops.filter((k) => this.stillJudged(k, now));
    this.recentKillStops = [];
    this.judging = this.takeBackShutdownStops(recent, now).catch((err: Error) =>
      this.logger.error({ err: err.message }, "the engine's shutdown stops not judged"),
    );
  };

  /**
   * Whether a stop is still judged when the engine goes away at `at`: one within the window, and one
   * the engine was closing at however long its shutdown takes after it (a database's stop timeout of
   * two minutes keeps dockerd going that long after its first containers died).
   */
  private stillJudged(stop: PendingKillStop, at: number): boolean {
    const age = at - stop.dieAt;
    return age <= this.engineShutdownWindowMs || (engineWasClosing(stop.said) && age <= CLOSING_STOPS_KEPT_MS);
  }

  private async takeBackShutdownStops(recent: PendingKillStop[], now: number, { sayKept = true } = {}): Promise<void> {
    const verdicts = await Promise.all(recent.map((stop) => stop.engineAfterKill));
    const shutdown = new Set(engineShutdownStops(recent, verdicts));
    recent.forEach((stop, i) => {
      try {
        if (shutdown.has(stop)) this.takeBack(stop, now);
        // said, since the engine's going away was so close: a person's stop, kept as one
        else if (sayKept)
          this.logger.info(
            { container: stop.name, engineAfterKill: verdicts[i] },
            "stop kept as a person's: the engine was not closing",
          );
      } catch (err) {
        this.logger.error({ err: (err as Error).message, container: stop.name }, "the engine's stop not taken back");
      }
    });
  }

  private takeBack(stop: PendingKillStop, now: number): void {
    if (stop.previous?.desired !== 'running') return;
    const current = this.desired(stop.key);
    if (current?.desired !== 'stopped' || current.updatedAt !== stop.recordedAt) return;
    this.rows.putDesired({
      ...stop.previous,
      updatedAt: now,
      reason: `${stop.previous.reason}; the stop came from the engine shutting down`,
    });
    this.logger.info({ container: stop.previous.name }, 'stop taken back: the engine was shutting down');
  }

  /** A container running when vigil first meets it (vigil is new here) is taken to be meant to run. */
  private readonly onSeen = ({ record }: InventoryEntry): void => {
    if (record.state !== 'running') return;
    const key = containerKey(record);
    try {
      if (this.desired(key)) return;
      this.rows.putDesired({
        key,
        containerId: record.id,
        name: record.name,
        desired: 'running',
        source: 'boot',
        reason: 'running when vigil first saw it',
        updatedAt: this.clock(),
      });
    } catch (err) {
      this.logger.error({ err: (err as Error).message, container: record.name }, 'desired state not read');
    }
  };

  private readonly onAdded = (entry: InventoryEntry): void => {
    this.onSeen(entry);
  };

  private readonly onRemoved = ({ record }: InventoryEntry): void => {
    this.memory.delete(record.id);
    this.ownStarts.delete(record.id);
    if (this.recreating.has(record.id)) return;
    this.forgetIfGone(record.id, containerKey(record));
  };

  /**
   * The engine says the container is gone: its desired state and backoff are no one's (the history
   * stays). A compose service's key lives on while another container of the service is there.
   */
  private forgetIfGone(id: string, key = idKey(id)): void {
    if (this.inventory.all().some((e) => e.record.id !== id && containerKey(e.record) === key)) return;
    this.rows.forget(key);
  }
}
