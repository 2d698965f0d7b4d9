import { EventEmitter } from 'node:events';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { ContainerEngine } from './engine.js';
import type { EngineEvents } from './events.js';
import type { HealthFacts } from '../containers/health.js';
import type { ProbeHealth } from '../probes/state.js';
import type { ContainerEvent, ContainerRecord } from './types.js';

/** A container as the inventory keeps it: the engine's record plus counters vigil derives from what it saw. */
export interface InventoryEntry extends HealthFacts {
  record: ContainerRecord;
  /** Times the container started again after having run: restart policy, `docker restart`, a start after a stop. */
  restarts: number;
  oomKills: number;
  /** When the engine last told vigil about this container. */
  observedAt: Date;
}

/** Pure: the entry for a container seen for the first time. The engine's own restart count is the floor. */
export function newEntry(record: ContainerRecord, now: Date, stopRequestedAt: Date | null = null): InventoryEntry {
  return {
    record,
    restarts: record.restartCount,
    oomKills: record.oomKilled ? 1 : 0,
    observedAt: now,
    stopRequestedAt,
    watchedSince: now,
  };
}

/**
 * Pure: the entry after a fresh inspection. A restart shows as a new StartedAt, which counts restarts
 * whether the `start` event was seen or missed (the engine was away, vigil was reconnecting).
 */
export function refreshedEntry(
  entry: InventoryEntry,
  record: ContainerRecord,
  now: Date,
  stopRequestedAt: Date | null = entry.stopRequestedAt,
): InventoryEntry {
  const before = entry.record.startedAt?.getTime() ?? null;
  const after = record.startedAt?.getTime() ?? null;
  const restarted = before !== null && after !== null && after > before;
  return { ...entry, record, restarts: entry.restarts + (restarted ? 1 : 0), observedAt: now, stopRequestedAt };
}

interface InventoryEvents {
  added: [InventoryEntry];
  changed: [InventoryEntry, ContainerRecord];
  removed: [InventoryEntry];
  synced: [];
  /** Its probes (vigil.probe.*) found something new: the entry after, and before. */
  probed: [InventoryEntry, InventoryEntry];
}

/**
 * Every container on the engine, kept current by the event stream: one inspect per event that can
 * change a container, a full resync only when the stream (re)connects, and never a list per scrape.
 */
export class Inventory extends EventEmitter<InventoryEvents> {
  private readonly entries = new Map<string, InventoryEntry>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  /** An inspection in flight when `destroy` arrives must not bring the container back. */
  private readonly destroyed = new Set<string>();
  /** OOM kills seen for a container before its first inspection landed. */
  private readonly oomsBeforeAdded = new Map<string, number>();
  /** The engine's time of the latest kill of each container: the exit after it is a person's stop. */
  private readonly lastKillAt = new Map<string, Date>();
  private readonly limit: ReturnType<typeof pLimit>;
  private isSynced = false;
  private syncedOnce = false;
  private syncing: Promise<void> | null = null;

  constructor(
    private readonly engine: ContainerEngine,
    events: EngineEvents,
    private readonly logger: Logger,
    inspectConcurrency = 16,
    private readonly clock: () => Date = () => new Date(),
  ) {
    super();
    this.limit = pLimit(inspectConcurrency);
    events.on('event', (e) => this.onEvent(e));
    events.on('connected', () => void this.resync());
    events.on('disconnected', () => {
      this.isSynced = false;
    });
  }

  /** True once a full resync after the latest (re)connection has finished. */
  get synced(): boolean {
    return this.isSynced;
  }

  /** True once any full resync has finished: before it, the entries are not yet every container. */
  get everSynced(): boolean {
    return this.syncedOnce;
  }

  all(): InventoryEntry[] {
    return [...this.entries.values()];
  }

  get(id: string): InventoryEntry | undefined {
    return this.entries.get(id);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Resolves when every inspection in flight has landed (tests and shutdown wait on it). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0 || this.syncing) await Promise.all([...this.inFlight.values(), this.syncing]);
  }

  /**
   * Resolves once the inspections called for by the events seen so far have landed, the one more that
   * an event during an inspection calls for included; those of later events are not waited for, so a
   * busy engine cannot keep it waiting.
   */
  async caughtUp(): Promise<void> {
    const owed = new Set(this.inFlight.keys());
    for (;;) {
      const waits = [...owed].flatMap((id) => this.inFlight.get(id) ?? []);
      if (waits.length === 0) return;
      await Promise.all(waits);
      for (const id of owed) if (!this.inFlight.has(id)) owed.delete(id);
    }
  }

  /** Lists every container and inspects each; containers the engine no longer has are dropped. */
  resync(): Promise<void> {
    this.syncing ??= this.doResync().finally(() => {
      this.syncing = null;
    });
    return this.syncing;
  }

  private async doResync(): Promise<void> {
    const started = Date.now();
    try {
      const ids = await this.engine.listContainerIds();
      const present = new Set(ids);
      await Promise.all(ids.map((id) => this.refresh(id)));
      for (const [id, entry] of this.entries) {
        if (!present.has(id) && !this.inFlight.has(id)) this.remove(id, entry);
      }
      this.isSynced = true;
      this.syncedOnce = true;
      this.logger.info(
        { containers: this.entries.size, ms: Date.now() - started },
        'inventory synchronised with the engine',
      );
      this.emit('synced');
    } catch (err) {
      // the event stream's reconnect will call again; until then readiness stays false
      this.logger.warn({ err: (err as Error).message }, 'inventory resync failed');
    }
  }

  private onEvent(event: ContainerEvent): void {
    if (event.action === 'destroy') {
      this.oomsBeforeAdded.delete(event.id);
      this.lastKillAt.delete(event.id);
      if (this.inFlight.has(event.id)) this.destroyed.add(event.id);
      const entry = this.entries.get(event.id);
      if (entry) this.remove(event.id, entry);
      this.dirty.delete(event.id);
      return;
    }
    // known before the inspection this event causes lands, so that its exit is judged with it
    if (event.action === 'kill') this.lastKillAt.set(event.id, new Date(Number(event.timeNano / 1_000_000n)));
    if (event.action === 'oom') {
      const entry = this.entries.get(event.id);
      if (entry) this.entries.set(event.id, { ...entry, oomKills: entry.oomKills + 1 });
      // a container killed within moments of its start: its first inspection is still in flight
      else this.oomsBeforeAdded.set(event.id, (this.oomsBeforeAdded.get(event.id) ?? 0) + 1);
    }
    void this.refresh(event.id);
  }

  /**
   * Inspects one container. Calls for the same container never overlap: a call while one is in flight
   * marks it dirty and one more inspection follows, so the last answer always reflects the last event.
   */
  refresh(id: string): Promise<void> {
    const running = this.inFlight.get(id);
    if (running) {
      this.dirty.add(id);
      return running;
    }
    const task = this.limit(() => this.engine.inspect(id))
      .then((record) => this.apply(id, record))
      .catch((err: Error) => this.logger.warn({ id: id.slice(0, 12), err: err.message }, 'inspect failed'))
      .finally(() => {
        this.inFlight.delete(id);
        this.destroyed.delete(id);
        if (this.dirty.delete(id)) void this.refresh(id);
      });
    this.inFlight.set(id, task);
    return task;
  }

  private apply(id: string, record: ContainerRecord | null): void {
    if (this.destroyed.has(id)) return;
    const entry = this.entries.get(id);
    if (record === null) {
      if (entry) this.remove(id, entry);
      return;
    }
    const now = this.clock();
    if (!entry) {
      const early = this.oomsBeforeAdded.get(id) ?? 0;
      this.oomsBeforeAdded.delete(id);
      const fresh = newEntry(record, now, this.lastKillAt.get(id) ?? null);
      const added = { ...fresh, oomKills: Math.max(fresh.oomKills, early) };
      this.entries.set(id, added);
      this.emit('added', added);
      return;
    }
    const updated = refreshedEntry(entry, record, now, this.lastKillAt.get(id) ?? null);
    this.entries.set(id, updated);
    this.emit('changed', updated, entry.record);
  }

  /** The prober's latest verdict on a container it probes; nothing for one the inventory no longer has. */
  setProbe(id: string, probe: ProbeHealth | null): void {
    const before = this.entries.get(id);
    if (!before || before.probe === probe) return;
    const after = { ...before, probe };
    this.entries.set(id, after);
    this.emit('probed', after, before);
  }

  private remove(id: string, entry: InventoryEntry): void {
    this.entries.delete(id);
    this.lastKillAt.delete(id);
    this.emit('removed', entry);
  }
}
