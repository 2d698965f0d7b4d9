import test from 'ava';
import fc from 'fast-check';
import {
  channelPoints,
  containerPoints,
  dayStarts,
  median,
  pointStatus,
  systemPoints,
  type StatusSample,
} from '../../src/history/points.js';
import { trendOfPoints } from '../../src/history/health-trends.js';

const DAY = 86_400_000;
const H = 3_600_000;
// noon, 1 December 2026: today is half over
const now = Date.parse('2026-12-01T12:00:00Z');
const today = Date.parse('2026-12-01T00:00:00Z');
const s = (at: number, state: string, health: string): StatusSample => ({ at, state, health });

test('one point a UTC day, oldest first, today last, each at its day start', (t) => {
  const points = containerPoints(null, [], 3, now);
  t.deepEqual(
    points.map((p) => p.timestamp),
    ['2026-11-29T00:00:00.000Z', '2026-11-30T00:00:00.000Z', '2026-12-01T00:00:00.000Z'],
  );
  t.deepEqual(points[0], {
    timestamp: '2026-11-29T00:00:00.000Z',
    healthScore: null,
    status: 'unknown',
    metrics: { restarts: 0, crashes: 0, unhealthyMinutes: 0 },
  });
});

test('a container: a crash, the unhealthy minutes until its restart, the restart, the score of the day', (t) => {
  const points = containerPoints(
    s(today - 2 * DAY, 'running', 'healthy'),
    [s(today + 1 * H, 'exited', 'unhealthy'), s(today + 1.5 * H, 'running', 'healthy')],
    2,
    now,
  );
  t.deepEqual(points[0], {
    timestamp: '2026-11-30T00:00:00.000Z',
    healthScore: 1,
    status: 'healthy',
    metrics: { restarts: 0, crashes: 0, unhealthyMinutes: 0 },
  });
  t.deepEqual(points[1]!.metrics, { restarts: 1, crashes: 1, unhealthyMinutes: 30 });
  // 11.5 of 12 hours running and healthy
  t.is(points[1]!.healthScore, Math.round((11.5 / 12) * 10_000) / 10_000);
  t.is(points[1]!.status, 'degraded');
});

test('a first start is no restart; a person’s stop is no crash', (t) => {
  const points = containerPoints(
    null,
    [s(today + H, 'created', 'none'), s(today + 2 * H, 'running', 'healthy'), s(today + 3 * H, 'exited', 'none')],
    1,
    now,
  );
  t.deepEqual(points[0]!.metrics, { restarts: 0, crashes: 0, unhealthyMinutes: 0 });
  t.is(points[0]!.status, 'unhealthy', 'one hour of eleven observed running');
});

test('point status from the score: healthy from 99 %, degraded from 90 %, unhealthy below, unknown without one', (t) => {
  t.is(pointStatus(1), 'healthy');
  t.is(pointStatus(0.99), 'healthy');
  t.is(pointStatus(0.95), 'degraded');
  t.is(pointStatus(0.9), 'degraded');
  t.is(pointStatus(0.5), 'unhealthy');
  t.is(pointStatus(null), 'unknown');
});

test('a channel: sent and failed by the day queued, the median time to delivery, the share of attempts delivered', (t) => {
  const points = channelPoints(
    [
      { createdAt: today + H, sentAt: today + H + 100, attempts: 0 },
      { createdAt: today + 2 * H, sentAt: today + 2 * H + 300, attempts: 0 },
      { createdAt: today + 3 * H, sentAt: today + 3 * H + 5000, attempts: 2 },
      { createdAt: today + 4 * H, sentAt: null, attempts: 1 },
      { createdAt: today - DAY + H, sentAt: today - DAY + H + 50, attempts: 0 },
    ],
    2,
    now,
  );
  t.deepEqual(points[0]!.metrics, { sent: 1, failed: 0, medianLatencyMs: 50 });
  t.deepEqual(points[1]!.metrics, { sent: 3, failed: 3, medianLatencyMs: 300 });
  t.is(points[1]!.healthScore, 0.5);
  t.is(points[1]!.status, 'unhealthy');
});

test('the system: containers that ran that day, alerts started, recoveries, the mean of the container scores', (t) => {
  const points = systemPoints(
    [
      { before: s(today - 3 * DAY, 'running', 'healthy'), samples: [] },
      { before: null, samples: [s(today + H, 'running', 'healthy'), s(today + 7 * H, 'exited', 'unhealthy')] },
      { before: s(today - 3 * DAY, 'exited', 'none'), samples: [] },
    ],
    [today + 2 * H, today + 3 * H, today - DAY + H],
    [today + 8 * H],
    2,
    now,
  );
  t.deepEqual(points[0]!.metrics, { containersRunning: 1, alerts: 1, recoveries: 0 });
  t.deepEqual(points[1]!.metrics, { containersRunning: 2, alerts: 2, recoveries: 1 });
  // 1, 6/11 and 0: their mean
  t.is(points[1]!.healthScore, Math.round(((1 + 6 / 11 + 0) / 3) * 10_000) / 10_000);
});

test('median of nothing, of odd and even counts', (t) => {
  t.is(median([]), null);
  t.is(median([5, 1, 3]), 3);
  t.is(median([4, 1, 3, 2]), 2.5);
});

test('healthTrend: better days lately improve, worse decline, level is stable', (t) => {
  const p = (scores: (number | null)[]) =>
    scores.map((healthScore, i) => ({ timestamp: `2026-11-${10 + i}`, healthScore }));
  t.is(trendOfPoints(p([0.5, 0.5, 1, 1])), 'improving');
  t.is(trendOfPoints(p([1, 1, 0.5, 0.5])), 'declining');
  t.is(trendOfPoints(p([1, null, 1, 1])), 'stable');
  t.is(trendOfPoints(p([null])), 'stable');
});

test('property: every container point is one UTC day, its score a share, its minutes within the day', (t) => {
  const sample = fc.record({
    at: fc.integer({ min: now - 40 * DAY, max: now }),
    state: fc.constantFrom('running', 'exited', 'created', 'restarting', 'dead'),
    health: fc.constantFrom('healthy', 'unhealthy', 'none', 'starting'),
  });
  t.notThrows(() =>
    fc.assert(
      fc.property(
        fc.option(sample),
        fc.array(sample, { maxLength: 30 }),
        fc.integer({ min: 1, max: 90 }),
        (b, xs, days) => {
          const points = containerPoints(b, xs, days, now);
          if (points.length !== days) return false;
          return points.every(
            (p, i) =>
              Date.parse(p.timestamp) === dayStarts(days, now)[i] &&
              (p.healthScore === null || (p.healthScore >= 0 && p.healthScore <= 1)) &&
              p.metrics.unhealthyMinutes >= 0 &&
              p.metrics.unhealthyMinutes <= 1440 &&
              p.metrics.restarts >= 0 &&
              p.status === pointStatus(p.healthScore),
          );
        },
      ),
    ),
  );
});
