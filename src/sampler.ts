import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Inventory } from './docker/inventory.js';
import type { StatsSource, StatsSourceName } from './docker/stats/source.js';
import type { ContainerRecord, ResourceSample } from './docker/types.js';
import { sweepDelay } from './sweep-schedule.js';

/** The latest reading of one container, which /metrics and the JSON API serve without asking the engine. */
export interface ContainerSnapshot {
  sampledAt: number;
  sample: ResourceSample;
  /** Percent of one core (200 = two cores busy) over the time since the previous reading; null until there are two. */
  cpuPercent: number | null;
  source: StatsSourceName;
  /** The pid the reading belongs to: a restarted container starts its counters again. */
  pid: number;
}

export interface SweepReport {
  startedAt: number;
  wallSeconds: number;
  containers: number;
  bySource: { source: StatsSourceName; containers: number; seconds: number }[];
  unread: number;
}

/** Pure: CPU percent from two readings of the same run of a container. */
export function cpuPercent(
  previous: ContainerSnapshot | undefined,
  sample: ResourceSample,
  pid: number,
  now: number,
): number | null {
  if (!previous || previous.pid !== pid) return null;
  const seconds = (now - previous.sampledAt) / 1000;
  const used = sample.cpuSeconds - previous.sample.cpuSeconds;
  if (seconds <= 0 || used < 0) return null;
  return (used / seconds) * 100;
}

/** Containers with a cgroup to read. */
export function isSampled(c: ContainerRecord): boolean {
  return (c.state === 'running' || c.state === 'paused') && c.pid > 0;
}

/**
 * Sweeps every running container on an interval and keeps the latest reading of each. Sources are
 * tried in order: a container the first cannot read (cgroup tree not visible, say) goes to the next.
 */
export class Sampler extends EventEmitter<{ sweep: [SweepReport] }> {
  private readonly snapshots = new Map<string, ContainerSnapshot>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<SweepReport> | null = null;
  private lastScrapeAt: () => number | null = () => null;

  constructor(
    private readonly inventory: Inventory,
    private readonly sources: readonly StatsSource[],
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {
    super();
    // one listener per part of vigil that follows the sweeps (metrics, history, spikes, streams, NATS,
    // liveness…), each added once at wiring, none per request: past node's default of 10, not a leak
    this.setMaxListeners(32);
  }

  get(id: string): ContainerSnapshot | undefined {
    return this.snapshots.get(id);
  }

  /** When the exporter was last scraped: sweeps move to half an interval from it (sweep-schedule.ts). */
  keepClearOf(lastScrapeAt: () => number | null): void {
    this.lastScrapeAt = lastScrapeAt;
  }

  start(): void {
    if (this.timer) return;
    const tick = (): void => {
      void this.sweep()
        .catch((err: Error) => this.logger.error({ err }, 'sampling sweep failed'))
        .finally(() => {
          const delay = sweepDelay(Date.now(), this.intervalMs, this.lastScrapeAt());
          if (this.timer) this.timer = setTimeout(tick, delay);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One sweep; a call while one runs joins it instead of starting another. */
  sweep(): Promise<SweepReport> {
    this.running ??= this.doSweep().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async doSweep(): Promise<SweepReport> {
    const startedAt = Date.now();
    const t0 = process.hrtime.bigint();
    let pending = this.inventory
      .all()
      .map((e) => e.record)
      .filter(isSampled);
    const live = new Set(pending.map((c) => c.id));
    const bySource: SweepReport['bySource'] = [];
    for (const source of this.sources) {
      if (pending.length === 0) break;
      const s0 = process.hrtime.bigint();
      const samples = await source.sample(pending);
      const now = Date.now();
      for (const c of pending) {
        const sample = samples.get(c.id);
        if (!sample) continue;
        const previous = this.snapshots.get(c.id);
        this.snapshots.set(c.id, {
          sampledAt: now,
          sample,
          cpuPercent: cpuPercent(previous, sample, c.pid, now),
          source: source.name,
          pid: c.pid,
        });
      }
      bySource.push({
        source: source.name,
        containers: samples.size,
        seconds: Number(process.hrtime.bigint() - s0) / 1e9,
      });
      pending = pending.filter((c) => !samples.has(c.id));
    }
    for (const id of this.snapshots.keys()) if (!live.has(id)) this.snapshots.delete(id);
    const report: SweepReport = {
      startedAt,
      wallSeconds: Number(process.hrtime.bigint() - t0) / 1e9,
      containers: live.size,
      bySource,
      unread: pending.length,
    };
    this.emit('sweep', report);
    return report;
  }
}

/** The snapshot of a container's current run only: a reading taken before it stopped or restarted is not served. */
export function currentSnapshot(sampler: Sampler, record: ContainerRecord): ContainerSnapshot | undefined {
  const snapshot = sampler.get(record.id);
  return snapshot && isSampled(record) && snapshot.pid === record.pid ? snapshot : undefined;
}
