import pLimit from 'p-limit';
import type { ContainerEngine } from '../engine.js';
import type { ContainerRecord, ResourceSample } from '../types.js';
import type { StatsSource } from './source.js';

/** The engine's stats collector ticks this often; a one-shot call is answered at the next tick. */
export const ENGINE_STATS_TICK_MS = 1000;
/** More calls than this in flight would hold as many sockets open on the engine: a sweep takes rounds instead. */
export const MAX_API_STATS_IN_FLIGHT = 256;

/**
 * Pure: how many one-shot stats calls to keep in flight so that a sweep of `containers` ends within
 * half the sample interval. Every call waits for the engine's next collector tick however many wait
 * with it, so a sweep takes about one tick per round of calls: a fixed concurrency of 8 took 25 ticks
 * at 200 containers, five sample intervals. Never fewer than `floor`, never more than the cap.
 */
export function apiStatsInFlight(containers: number, intervalMs: number, floor: number): number {
  const rounds = Math.max(1, Math.floor(intervalMs / 2 / ENGINE_STATS_TICK_MS));
  const needed = Math.ceil(containers / rounds);
  return Math.max(1, floor, Math.min(MAX_API_STATS_IN_FLIGHT, needed));
}

/** The fallback: the engine's stats API, one-shot, as many calls in flight as the interval needs. */
export class ApiStatsSource implements StatsSource {
  readonly name = 'api' as const;
  private readonly limit: ReturnType<typeof pLimit>;

  constructor(
    private readonly engine: ContainerEngine,
    private readonly hostMemoryBytes: () => number,
    private readonly options: { intervalMs: number; minInFlight: number },
  ) {
    this.limit = pLimit(options.minInFlight);
  }

  async sample(containers: readonly ContainerRecord[]): Promise<Map<string, ResourceSample>> {
    this.limit.concurrency = apiStatsInFlight(containers.length, this.options.intervalMs, this.options.minInFlight);
    const out = new Map<string, ResourceSample>();
    await Promise.all(
      containers.map((c) =>
        this.limit(async () => {
          try {
            const sample = await this.engine.statsOnce(c.id, this.hostMemoryBytes());
            if (sample) out.set(c.id, sample);
          } catch {
            // gone or stopped since the sweep began; the next sweep will not ask again
          }
        }),
      ),
    );
    return out;
  }
}
