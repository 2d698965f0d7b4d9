import type { Logger } from 'pino';
import type { SystemReadings } from '../containers/system.js';
import type { Inventory } from '../docker/inventory.js';
import type { SeriesPoint } from '../http/api-types.js';
import { containerKey } from '../recovery/identity.js';
import { currentSnapshot, type Sampler } from '../sampler.js';
import { HOST_SERIES_KEY, type ResourceSeriesStore } from '../store/resource-series.js';
import { hostPointOf, pointOf, type Counters } from './series.js';
import { Gauge, type Registry } from 'prom-client';

const PRUNE_EVERY_MS = 60_000;

/**
 * Writes every sweep's readings into the resource history: one point per sampled container and one
 * for the host, in one transaction; prunes each tier once a minute. A store that refuses a write
 * costs that sweep's points, never the sweep.
 */
export class SeriesRecorder {
  private readonly previous = new Map<string, Counters>();
  private lastPrune = 0;
  private rowsKept = 0;

  constructor(
    private readonly parts: {
      inventory: Inventory;
      sampler: Sampler;
      store: ResourceSeriesStore;
      host?: SystemReadings;
      logger: Logger;
      clock?: () => number;
    },
  ) {}

  /** The history's size as of the last prune (a minute at most old): counting every scrape would cost a scan. */
  size(): { rows: number } {
    return { rows: this.rowsKept };
  }

  start(): void {
    this.parts.sampler.on('sweep', this.onSweep);
  }

  stop(): void {
    this.parts.sampler.off('sweep', this.onSweep);
  }

  private readonly onSweep = (): void => {
    const now = (this.parts.clock ?? Date.now)();
    const rows: { key: string; point: SeriesPoint }[] = [];
    const seen = new Set<string>();
    for (const entry of this.parts.inventory.all()) {
      const snapshot = currentSnapshot(this.parts.sampler, entry.record);
      if (!snapshot) continue;
      const { record } = entry;
      seen.add(record.id);
      const counters: Counters = { at: snapshot.sampledAt, pid: snapshot.pid, sample: snapshot.sample };
      // null when it has no limit of its own: the chart draws no line rather than the host's memory
      const memoryLimit = snapshot.sample.memoryLimitBytes ?? record.limits.memoryBytes;
      const point = pointOf(
        this.previous.get(record.id),
        counters,
        (snapshot.cpuPercent ?? 0) / 100,
        snapshot.sample.memoryWorkingSetBytes,
        memoryLimit,
      );
      this.previous.set(record.id, counters);
      rows.push({ key: containerKey(record), point });
    }
    for (const id of this.previous.keys()) if (!seen.has(id)) this.previous.delete(id);
    const host = this.parts.host?.host();
    if (host)
      rows.push({
        key: HOST_SERIES_KEY,
        point: hostPointOf(
          now,
          host,
          rows.map((r) => r.point),
        ),
      });
    try {
      this.parts.store.record(rows);
      if (now - this.lastPrune >= PRUNE_EVERY_MS) {
        this.parts.store.prune(now);
        this.rowsKept = this.parts.store.rows();
        this.lastPrune = now;
      }
    } catch (err) {
      this.parts.logger.warn({ err: (err as Error).message }, 'resource history not written');
    }
  };
}

/** vigil_resource_history_rows: the points the resource history keeps, all tiers and series. */
export function registerSeriesMetrics(registry: Registry, recorder: Pick<SeriesRecorder, 'size'>): void {
  new Gauge({
    name: 'vigil_resource_history_rows',
    help: 'Points the resource history keeps in the store (all tiers, containers and the host), as of the last prune.',
    registers: [registry],
    collect() {
      this.set(recorder.size().rows);
    },
  });
}
