import test from 'ava';
import { dailyScores, trend } from '../../src/history/health-score.js';

const DAY = 86_400_000;
const day0 = Date.parse('2026-11-20T00:00:00Z');

test('the daily score is the share of the observed day spent running and healthy', (t) => {
  const points = [
    { at: day0, good: true },
    { at: day0 + DAY / 4, good: false },
    { at: day0 + DAY / 2, good: true },
    { at: day0 + DAY + DAY / 2, good: false },
  ];
  const scores = dailyScores(null, points, 3, day0 + 2 * DAY + DAY / 2);
  t.deepEqual(
    scores.map((s) => s.date),
    ['2026-11-20', '2026-11-21', '2026-11-22'],
  );
  t.deepEqual(
    scores.map((s) => s.score),
    [0.75, 0.5, 0],
  );
  t.is(trend(scores), 'declining');
});

test('days before anything was known score null; the status before the window carries in', (t) => {
  const scores = dailyScores(null, [{ at: day0 + DAY, good: true }], 3, day0 + 2 * DAY + 1000);
  t.deepEqual(
    scores.map((s) => s.score),
    [null, 1, 1],
  );
  t.deepEqual(
    dailyScores(true, [], 2, day0 + DAY + 1000).map((s) => s.score),
    [1, 1],
  );
});

test('trend: improving, stable, declining', (t) => {
  const s = (...xs: (number | null)[]) => xs.map((score, i) => ({ date: String(i), score }));
  t.is(trend(s(0.5, 0.6, 0.9, 1)), 'improving');
  t.is(trend(s(0.9, 0.92, 0.9, 0.91)), 'stable');
  t.is(trend(s(1, 1, 0.5, 0.4)), 'declining');
  t.is(trend(s(null, 1)), 'stable');
});
