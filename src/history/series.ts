/**
 * Resource history, pure: the tiers it is kept in, the rates between two readings, which tier answers
 * a range, and the markers (health, restarts, actions with who asked) drawn on the same time axis.
 * src/store/resource-series.ts keeps the points; src/history/series-recorder.ts feeds it each sweep.
 */
import type { ActionRequester, SeriesMarker, SeriesPoint, SeriesRange } from '../http/api-types.js';
import { seriesRanges } from '../http/api-types.js';
import type { HistoryEntry } from '../store/history.js';
import type { ResourceSample } from '../docker/types.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Tier 0 is each sweep, kept an hour; tier 1 a point a minute for a day; tier 2 one per ten minutes for a week. */
export const seriesTiers = [
  { tier: 0, bucketMs: 0, keepMs: HOUR },
  { tier: 1, bucketMs: MINUTE, keepMs: DAY },
  { tier: 2, bucketMs: 10 * MINUTE, keepMs: 7 * DAY },
] as const;
export type SeriesTier = (typeof seriesTiers)[number]['tier'];

const rangeMs: Record<SeriesRange, number> = { '1h': HOUR, '6h': 6 * HOUR, '24h': DAY, '7d': 7 * DAY };

/** Pure: the finest tier that covers a range. */
export function tierFor(range: SeriesRange): { tier: SeriesTier; spanMs: number } {
  const spanMs = rangeMs[range];
  const found = seriesTiers.find((t) => t.keepMs >= spanMs) ?? seriesTiers[2];
  return { tier: found.tier, spanMs };
}

/** Pure: `range` as the API takes it, 1h when absent; anything else is null (the caller answers 400). */
export function parseRange(value: unknown): SeriesRange | null {
  if (value === undefined) return '1h';
  return typeof value === 'string' && (seriesRanges as readonly string[]).includes(value)
    ? (value as SeriesRange)
    : null;
}

/** A reading's counters, what the next reading's rates are taken against. */
export interface Counters {
  at: number;
  pid: number;
  sample: Pick<ResourceSample, 'networkRxBytes' | 'networkTxBytes' | 'blockReadBytes' | 'blockWriteBytes'>;
}

/**
 * Pure: a container's point from this sweep's reading and the one before. Rates need two readings of
 * the same run; a first reading, a new run (its counters start again) or counters that fell give 0.
 */
export function pointOf(
  previous: Counters | undefined,
  current: Counters,
  cpuCores: number,
  memoryBytes: number,
  memoryLimitBytes: number | null,
): SeriesPoint {
  const seconds = previous && previous.pid === current.pid ? (current.at - previous.at) / 1000 : 0;
  const rate = (key: keyof Counters['sample']) => {
    if (!previous || seconds <= 0) return 0;
    const delta = current.sample[key] - previous.sample[key];
    return delta > 0 ? delta / seconds : 0;
  };
  return {
    at: current.at,
    cpuCores,
    memoryBytes,
    memoryLimitBytes,
    networkRxBytesPerSecond: rate('networkRxBytes'),
    networkTxBytesPerSecond: rate('networkTxBytes'),
    blockReadBytesPerSecond: rate('blockReadBytes'),
    blockWriteBytesPerSecond: rate('blockWriteBytes'),
  };
}

/** Pure: the host's point: its CPU and memory, and the rates of all its containers summed. */
export function hostPointOf(
  at: number,
  host: { cpus: number; cpuUtilisation: number | null; memoryTotalBytes: number; memoryAvailableBytes: number },
  containers: readonly SeriesPoint[],
): SeriesPoint {
  const sum = (key: keyof SeriesPoint) => containers.reduce((n, p) => n + (p[key] ?? 0), 0);
  return {
    at,
    cpuCores: (host.cpuUtilisation ?? 0) * host.cpus,
    memoryBytes: Math.max(0, host.memoryTotalBytes - host.memoryAvailableBytes),
    memoryLimitBytes: host.memoryTotalBytes,
    networkRxBytesPerSecond: sum('networkRxBytesPerSecond'),
    networkTxBytesPerSecond: sum('networkTxBytesPerSecond'),
    blockReadBytesPerSecond: sum('blockReadBytesPerSecond'),
    blockWriteBytesPerSecond: sum('blockWriteBytesPerSecond'),
  };
}

/** Pure: who asked for an action, from what its history entry says. */
export function requesterOf(data: Record<string, unknown>): ActionRequester {
  if (data.by === 'page' || data.by === 'api') return data.by;
  if (typeof data.reason === 'string' && data.reason.startsWith('alert ')) return 'alert';
  return 'medic';
}

/**
 * Pure: a container's history entries as markers: each change of health, each restart (a status
 * entry that shows it running again after it was not), each action taken or asked for, with who asked.
 * Actions that did nothing (`none`, reports) are left out: they are no mark on a chart.
 */
export function markersOf(entries: readonly HistoryEntry[], before?: HistoryEntry): SeriesMarker[] {
  const markers: SeriesMarker[] = [];
  let last = before && before.kind === 'status' ? before.data : undefined;
  for (const e of entries) {
    if (e.kind === 'status') {
      const state = String(e.data.state);
      const health = String(e.data.health);
      if (last !== undefined && last.state !== 'running' && state === 'running')
        markers.push({ at: e.at, kind: 'restart', what: `running again (${health})` });
      else if (last === undefined || last.health !== health)
        markers.push({ at: e.at, kind: 'health', what: state === 'running' ? health : `${state} (${health})` });
      last = e.data;
    } else if (e.kind === 'action') {
      const action = String(e.data.action);
      if (action === 'none' || action === 'report' || action === 'skipped') continue;
      const outcome = typeof e.data.outcome === 'string' ? ` ${e.data.outcome}` : '';
      const reason = typeof e.data.reason === 'string' ? `: ${e.data.reason}` : '';
      markers.push({ at: e.at, kind: 'action', what: `${action}${outcome}${reason}`, by: requesterOf(e.data) });
    }
  }
  return markers;
}
