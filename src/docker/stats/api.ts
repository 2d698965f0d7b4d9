import pLimit from 'p-limit';
import type { ContainerEngine } from '../engine.js';
import type { ContainerRecord, ResourceSample } from '../types.js';
import type { StatsSource } from './source.js';

/** The fallback: the engine's stats API, one-shot, a bounded number of calls in flight. */
export class ApiStatsSource implements StatsSource {
  readonly name = 'api' as const;
  private readonly limit: ReturnType<typeof pLimit>;

  constructor(
    private readonly engine: ContainerEngine,
    private readonly hostMemoryBytes: () => number,
    concurrency = 8,
  ) {
    this.limit = pLimit(concurrency);
  }

  async sample(containers: readonly ContainerRecord[]): Promise<Map<string, ResourceSample>> {
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
