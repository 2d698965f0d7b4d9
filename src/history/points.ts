/**
 * The daily points of GET /api/v1/history/{container, channel/:name, system}: one a UTC day, oldest
 * first, today (up to now) last. Pure: the routes read the store and hand the rows in.
 */
export type HistoryType = 'container' | 'channel' | 'system';
export type PointStatus = 'healthy' | 'degraded' | 'unhealthy' | 'unknown';

export interface HistoryPoint<M> {
  /** The UTC day's start, ISO 8601. */
  timestamp: string;
  /** Share of the day that went well, 0..1 (see each builder); null when nothing was observed. */
  healthScore: number | null;
  status: PointStatus;
  metrics: M;
}

export interface History<M> {
  type: HistoryType;
  entity: string;
  days: number;
  points: HistoryPoint<M>[];
}

export interface ContainerDayMetrics {
  restarts: number;
  crashes: number;
  unhealthyMinutes: number;
}
export interface ChannelDayMetrics {
  sent: number;
  failed: number;
  /** Median time from queued to delivered of the day's deliveries, ms; null without one. */
  medianLatencyMs: number | null;
}
export interface SystemDayMetrics {
  containersRunning: number;
  alerts: number;
  recoveries: number;
}

const DAY = 86_400_000;

/** The thresholds of a point's status, on its health score. */
export const POINT_THRESHOLDS = { healthy: 0.99, degraded: 0.9 } as const;

/** Pure: a day's status from its score: healthy from 99 %, degraded from 90 %, unhealthy below. */
export function pointStatus(score: number | null): PointStatus {
  if (score === null) return 'unknown';
  return score >= POINT_THRESHOLDS.healthy ? 'healthy' : score >= POINT_THRESHOLDS.degraded ? 'degraded' : 'unhealthy';
}

/** Pure: the start of each of the last `days` UTC days, today last. */
export function dayStarts(days: number, now: number): number[] {
  const today = Math.floor(now / DAY) * DAY;
  return Array.from({ length: days }, (_, i) => today - (days - 1 - i) * DAY);
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

function point<M>(start: number, score: number | null, metrics: M): HistoryPoint<M> {
  return { timestamp: new Date(start).toISOString(), healthScore: score, status: pointStatus(score), metrics };
}

/** A container's status as the history store records it. */
export interface StatusSample {
  at: number;
  state: string;
  health: string;
}

/**
 * Pure: a container's days. The score is the share of the observed day it ran healthy; a restart is a
 * start after it had run (not its first start); a crash, a stop the health calls unhealthy (a non-zero
 * exit, an OOM kill, dead); unhealthy minutes, the time its health was unhealthy.
 */
export function containerPoints(
  before: StatusSample | null,
  samples: readonly StatusSample[],
  days: number,
  now: number,
): HistoryPoint<ContainerDayMetrics>[] {
  const starts = dayStarts(days, now);
  const timeline = samples.filter((s) => s.at >= starts[0]! && s.at <= now).sort((a, b) => a.at - b.at);
  let current: StatusSample | null = before;
  let everRan = before !== null && before.state !== 'created';
  let i = 0;
  return starts.map((start) => {
    const end = Math.min(start + DAY, now);
    const m: ContainerDayMetrics = { restarts: 0, crashes: 0, unhealthyMinutes: 0 };
    let good = 0;
    let observed = 0;
    let unhealthy = 0;
    let cursor = start;
    const account = (until: number) => {
      if (current !== null && until > cursor) {
        observed += until - cursor;
        if (current.state === 'running' && current.health === 'healthy') good += until - cursor;
        if (current.health === 'unhealthy') unhealthy += until - cursor;
      }
      cursor = Math.max(cursor, until);
    };
    while (i < timeline.length && timeline[i]!.at < end) {
      const next = timeline[i]!;
      account(next.at);
      const wasRunning = current?.state === 'running';
      if (next.state === 'running' && !wasRunning && everRan) m.restarts++;
      if (next.state !== 'running' && next.health === 'unhealthy' && current?.health !== 'unhealthy') m.crashes++;
      if (next.state === 'running') everRan = true;
      current = next;
      i++;
    }
    account(end);
    m.unhealthyMinutes = Math.round(unhealthy / 60_000);
    return point(start, observed > 0 ? round4(good / observed) : null, m);
  });
}

/** One outbox row of a channel: when it was queued, delivered (null if not), and its failed attempts. */
export interface DeliveryRow {
  createdAt: number;
  sentAt: number | null;
  attempts: number;
}

/**
 * Pure: a channel's days, by the day each message was queued. Sent counts the messages delivered, failed
 * the attempts that failed; the score is the share of attempts that succeeded (null on a day without any).
 */
export function channelPoints(
  rows: readonly DeliveryRow[],
  days: number,
  now: number,
): HistoryPoint<ChannelDayMetrics>[] {
  return dayStarts(days, now).map((start) => {
    const day = rows.filter((r) => r.createdAt >= start && r.createdAt < start + DAY);
    const sent = day.filter((r) => r.sentAt !== null);
    const failed = day.reduce((n, r) => n + r.attempts, 0);
    const tries = sent.length + failed;
    return point(start, tries ? round4(sent.length / tries) : null, {
      sent: sent.length,
      failed,
      medianLatencyMs: median(sent.map((r) => r.sentAt! - r.createdAt)),
    });
  });
}

/** Pure: the median, null of nothing. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Pure: the host's days. Containers running counts those that ran at some time of the day; alerts, the
 * alerts that started that day; recoveries, the medic's successful actions; the score is the mean of the
 * day's container scores.
 */
export function systemPoints(
  containers: readonly { before: StatusSample | null; samples: readonly StatusSample[] }[],
  alertStarts: readonly number[],
  recoveries: readonly number[],
  days: number,
  now: number,
): HistoryPoint<SystemDayMetrics>[] {
  const starts = dayStarts(days, now);
  const perContainer = containers.map((c) => ({
    points: containerPoints(c.before, c.samples, days, now),
    ran: starts.map((start) => {
      const end = start + DAY;
      const atStart = [c.before, ...c.samples]
        .filter((s): s is StatusSample => s !== null && (s === c.before || s.at < start))
        .at(-1);
      return (
        atStart?.state === 'running' || c.samples.some((s) => s.at >= start && s.at < end && s.state === 'running')
      );
    }),
  }));
  const inDay = (start: number, at: number) => at >= start && at < start + DAY;
  return starts.map((start, d) => {
    const scores = perContainer.map((c) => c.points[d]!.healthScore).filter((s): s is number => s !== null);
    return point(start, scores.length ? round4(scores.reduce((a, b) => a + b, 0) / scores.length) : null, {
      containersRunning: perContainer.filter((c) => c.ran[d]).length,
      alerts: alertStarts.filter((at) => inDay(start, at)).length,
      recoveries: recoveries.filter((at) => inDay(start, at)).length,
    });
  });
}
