import type { Logger } from 'pino';
import type { EngineEvents } from '../docker/events.js';
import type { Inventory, InventoryEntry } from '../docker/inventory.js';
import type { ContainerEvent } from '../docker/types.js';
import type { DesiredState, DesiredStateStore } from '../store/desired-state.js';
import type { HistoryStore } from '../store/history.js';
import type { RecoveryStateStore } from '../store/recovery-state.js';
import { listen } from '../listen.js';
import { containerKey } from './identity.js';
import { engineShutdownStops, intentFromEvent, type IntentMemory, type KillStop } from './intent.js';

export interface IntentStores {
  desired: DesiredStateStore;
  recovery: RecoveryStateStore;
  history: HistoryStore;
}

type PendingKillStop = KillStop & { previous: DesiredState | undefined; recordedAt: number };

/** How long after vigil's own start of a container its start event is still taken as vigil's. */
const OWN_START_MS = 30_000;

/**
 * What each container should be doing, learned from the engine's events: a start means run, a kill
 * before the die means a person stopped it, a die alone is a crash. Stops made by the engine's own
 * shutdown are taken back when the stream closes right after them. Desired state that the store
 * cannot take (read-only, full) is kept here and written when it can, so none is lost.
 */
export class IntentTracker {
  private readonly memory = new Map<string, IntentMemory>();
  private recentKillStops: PendingKillStop[] = [];
  /** Containers vigil itself is starting: their start events are not a person's. */
  private readonly ownStarts = new Map<string, number>();
  private readonly unsaved = new Map<string, DesiredState>();
  private wentAwayAt: number | null = null;
  private unsubscribe: (() => void)[] = [];

  constructor(
    private readonly events: EngineEvents,
    private readonly inventory: Inventory,
    private readonly stores: IntentStores,
    private readonly logger: Logger,
    private readonly engineShutdownWindowMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  start(): void {
    this.unsubscribe = [
      listen(this.events, { event: this.onEngineEvent, disconnected: this.onEngineGone }),
      listen(this.inventory, { added: this.onAdded, changed: this.onSeen, removed: this.onRemoved }),
    ];
  }

  stop(): void {
    this.unsubscribe.forEach((off) => off());
  }

  /** When the engine's event stream was last lost, until a boot reconcile has dealt with it. */
  get engineWentAwayAt(): number | null {
    return this.wentAwayAt;
  }

  engineRestartHandled(at: number | null): void {
    if (this.wentAwayAt === at) this.wentAwayAt = null;
  }

  desired(key: string): DesiredState | undefined {
    return this.unsaved.get(key) ?? this.stores.desired.get(key);
  }

  /** vigil is about to start this container: the start event it causes is not a person's. */
  markOwnStart(id: string): void {
    this.ownStarts.set(id, this.clock());
  }

  /** Writes what the store refused earlier; true when nothing is left waiting. */
  flush(): boolean {
    for (const [key, state] of this.unsaved) {
      try {
        this.stores.desired.put(state);
        this.unsaved.delete(key);
      } catch {
        return false;
      }
    }
    return true;
  }

  /** Per-container entries held in memory: they must follow the containers the engine has, not grow. */
  memoryFootprint(): { memory: number; ownStarts: number; unsaved: number; recentKillStops: number } {
    return {
      memory: this.memory.size,
      ownStarts: this.ownStarts.size,
      unsaved: this.unsaved.size,
      recentKillStops: this.recentKillStops.length,
    };
  }

  get unsavedCount(): number {
    return this.unsaved.size;
  }

  private put(state: DesiredState): void {
    this.unsaved.delete(state.key);
    try {
      this.flush();
      this.stores.desired.put(state);
    } catch (err) {
      this.unsaved.set(state.key, state);
      this.logger.error(
        { err: (err as Error).message, container: state.name },
        'desired state not written; kept in memory until the store takes it',
      );
    }
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
    const key = containerKey({ name: event.name || record?.name || event.id, labels: event.attributes });
    const now = this.clock();
    const { change, memory } = intentFromEvent(
      event,
      this.memory.get(event.id) ?? {},
      record?.restartPolicy.name ?? 'no',
    );
    if (Object.keys(memory).length > 0 && event.action !== 'destroy') this.memory.set(event.id, memory);
    else this.memory.delete(event.id);
    if (event.action === 'start') this.onStart(event.id, key, now);
    if (!change) return;
    const previous = this.desired(key);
    if (previous?.desired === change.desired && previous.reason === change.reason) return;
    this.put({
      key,
      containerId: event.id,
      name: event.name,
      desired: change.desired,
      source: 'event',
      reason: change.reason,
      updatedAt: now,
    });
    if (change.byKill) {
      const dieAt = Number(event.timeNano / 1_000_000n);
      this.recentKillStops.push({ key, killAt: change.killAt ?? dieAt, dieAt, previous, recordedAt: now });
      this.recentKillStops = this.recentKillStops.filter((k) => dieAt - k.dieAt <= this.engineShutdownWindowMs);
    }
    // last: history is worth less than the desired state and the shutdown bookkeeping above
    this.stores.history.add({
      key,
      containerId: event.id,
      name: event.name,
      at: now,
      kind: 'intent',
      data: { desired: change.desired, reason: change.reason },
    });
  }

  private onStart(id: string, key: string, now: number): void {
    const own = this.ownStarts.get(id);
    this.ownStarts.delete(id);
    if (own !== undefined && now - own <= OWN_START_MS) return;
    // a person (or their tooling) started it: whatever vigil had given up on is theirs again
    const recovery = this.stores.recovery.get(key);
    if (recovery.gaveUpAt !== null) this.stores.recovery.put({ ...recovery, gaveUpAt: null, attempts: 0, nextAt: 0 });
  }

  /** The engine went away: the stops it just made while shutting down were not anyone's wish. */
  private readonly onEngineGone = (): void => {
    const now = this.clock();
    this.wentAwayAt = now;
    const recent = this.recentKillStops.filter((k) => now - k.dieAt <= this.engineShutdownWindowMs);
    this.recentKillStops = [];
    for (const stop of engineShutdownStops(recent, now) as PendingKillStop[]) {
      if (stop.previous?.desired !== 'running') continue;
      const current = this.desired(stop.key);
      if (current?.desired !== 'stopped' || current.updatedAt !== stop.recordedAt) continue;
      this.put({
        ...stop.previous,
        updatedAt: now,
        reason: `${stop.previous.reason}; the stop came from the engine shutting down`,
      });
      this.logger.info({ container: stop.previous.name }, 'stop taken back: the engine was shutting down');
    }
  };

  /** A container running when vigil first meets it (vigil is new here) is taken to be meant to run. */
  private readonly onSeen = ({ record }: InventoryEntry): void => {
    if (record.state !== 'running') return;
    const key = containerKey(record);
    try {
      if (this.desired(key)) return;
      this.put({
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
    this.guard('container seen again not recorded', () => this.stores.desired.markPresent(containerKey(entry.record)));
    this.onSeen(entry);
  };

  private readonly onRemoved = ({ record }: InventoryEntry): void => {
    this.memory.delete(record.id);
    this.ownStarts.delete(record.id);
    const key = containerKey(record);
    // a recreated container keeps its key; the rows of a key no container has are pruned in time
    if (this.inventory.all().some((e) => containerKey(e.record) === key)) return;
    this.guard('container removal not recorded', () => this.stores.desired.markGone(key, this.clock()));
  };

  private guard(what: string, write: () => void): void {
    try {
      write();
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, what);
    }
  }
}
