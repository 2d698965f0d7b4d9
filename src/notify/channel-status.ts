/** How a channel is doing, as /api/v1/channels, /api/v1/system and the page say it. */
export type ChannelStatus = 'healthy' | 'degraded' | 'error';
export type ChannelTrend = 'improving' | 'stable' | 'declining';

/**
 * The thresholds the README names. An error rate is over the last `window` attempts (deliveries and
 * channel tests), newest last.
 */
export const CHANNEL_THRESHOLDS = {
  window: 20,
  /** At or above this share of failed attempts: error. */
  errorRate: 0.5,
  /** At or above this share: degraded. */
  degradedRate: 0.1,
  /** This many failures in a row, the latest attempts: error, whatever the rate. */
  consecutiveFailures: 3,
  /** A channel that has failed since and not delivered for this long: error. */
  silentMs: 3_600_000,
  /** Trend: the newer half of the window fails this much less (improving) or more (declining) than the older. */
  trendDelta: 0.1,
} as const;

export interface ChannelRecord {
  /** Outcome of each recent attempt, oldest first: true delivered. */
  outcomes: readonly boolean[];
  lastSuccessAt: number | null;
}

/** Pure: share of the attempts that failed, 0 when there were none. */
export function errorRateOf(outcomes: readonly boolean[]): number {
  return outcomes.length ? outcomes.filter((ok) => !ok).length / outcomes.length : 0;
}

/**
 * Pure: healthy, degraded or error. A channel never tried is healthy (nothing is known against it);
 * one whose latest attempt failed is at least degraded; failing half the time, three times in a row,
 * or an hour without a delivery while failing is an error.
 */
export function channelStatus(r: ChannelRecord, now: number, t = CHANNEL_THRESHOLDS): ChannelStatus {
  const recent = r.outcomes.slice(-t.window);
  if (recent.length === 0) return 'healthy';
  const rate = errorRateOf(recent);
  const tail = recent.slice(-t.consecutiveFailures);
  const failingNow = recent[recent.length - 1] === false;
  const silent = failingNow && r.lastSuccessAt !== null && now - r.lastSuccessAt >= t.silentMs;
  if (rate >= t.errorRate || (tail.length === t.consecutiveFailures && tail.every((ok) => !ok)) || silent)
    return 'error';
  if (rate >= t.degradedRate || failingNow) return 'degraded';
  return 'healthy';
}

/**
 * Pure: the error rate of the newer half of the window against the older half: fewer failures by the
 * trend delta is improving, more is declining. Under four attempts there is no trend to tell: stable.
 */
export function channelTrend(outcomes: readonly boolean[], t = CHANNEL_THRESHOLDS): ChannelTrend {
  const recent = outcomes.slice(-t.window);
  if (recent.length < 4) return 'stable';
  const half = Math.floor(recent.length / 2);
  const delta = errorRateOf(recent.slice(recent.length - half)) - errorRateOf(recent.slice(0, recent.length - half));
  return delta <= -t.trendDelta ? 'improving' : delta >= t.trendDelta ? 'declining' : 'stable';
}

/** Pure: /api/v1/system's count of channels, and of those healthy. */
export function channelCounts(channels: readonly { status: ChannelStatus }[]): { total: number; healthy: number } {
  return { total: channels.length, healthy: channels.filter((c) => c.status === 'healthy').length };
}
