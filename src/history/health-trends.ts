import type { InventoryEntry } from '../docker/inventory.js';
import { containerKey } from '../recovery/identity.js';
import { trend } from './health-score.js';
import type { HistoryStore } from '../store/history.js';
import { containerPoints, dayStarts, type StatusSample } from './points.js';

export type HealthTrend = 'improving' | 'stable' | 'declining';

/** The days a container's healthTrend looks back over, as its history does by default. */
export const TREND_DAYS = 30;

/** Pure: the status samples of a container's history entries (its `status` kind only). */
export function statusSamples(entries: readonly { at: number; kind: string; data: Record<string, unknown> }[]) {
  return entries
    .filter((e) => e.kind === 'status')
    .map((e): StatusSample => ({ at: e.at, state: String(e.data.state), health: String(e.data.health) }));
}

/** Pure: the trend of a container's daily scores, as its history's `trend`. */
export function trendOfPoints(points: readonly { timestamp: string; healthScore: number | null }[]): HealthTrend {
  return trend(points.map((p) => ({ date: p.timestamp.slice(0, 10), score: p.healthScore })));
}

/**
 * Each container's healthTrend for the summary, the detail, the WebSocket and NATS: its last 30 days'
 * scores, read from the store at most once a minute per container (a summary of 200 containers would
 * otherwise read 200 timelines on every request).
 */
export class HealthTrends {
  private readonly cache = new Map<string, { at: number; trend: HealthTrend }>();

  constructor(
    private readonly history: HistoryStore,
    private readonly ttlMs = 60_000,
    private readonly clock: () => number = Date.now,
  ) {}

  of(entry: InventoryEntry): HealthTrend {
    const key = containerKey(entry.record);
    const now = this.clock();
    const cached = this.cache.get(key);
    if (cached && now - cached.at < this.ttlMs) return cached.trend;
    let value: HealthTrend = 'stable';
    try {
      const from = dayStarts(TREND_DAYS, now)[0]!;
      const before = this.history.statusBefore(key, from);
      const points = containerPoints(
        before ? statusSamples([before])[0]! : null,
        statusSamples(this.history.since(key, from)),
        TREND_DAYS,
        now,
      );
      value = trendOfPoints(points);
    } catch {
      // a store that cannot be read: no trend known, the summary still answers
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { at: now, trend: value });
    return value;
  }
}
