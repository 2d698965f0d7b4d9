import test from 'ava';
import { actionDue, afterAction, afterHealthyRun } from '../../src/recovery/schedule.js';
import { dailyScores, trend } from '../../src/recovery/health-score.js';
import { freshRecovery } from '../../src/store/recovery-state.js';

const policy = { baseMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000, maxAttempts: 4 };

test('the first action is immediate, then 10, 20, 40 s between actions, and vigil gives up after the last', (t) => {
  let state = freshRecovery('k');
  let now = 0;
  const gaps: number[] = [];
  let last = 0;
  for (let i = 0; i < 10 && actionDue(state, now, policy).kind !== 'give-up'; i++) {
    const due = actionDue(state, now, policy);
    if (due.kind === 'wait') now += due.waitMs;
    t.is(actionDue(state, now, policy).kind, 'due');
    if (i > 0) gaps.push(now - last);
    last = now;
    state = afterAction(state, now, policy, null);
    now += 1; // the container crashes again at once
    if (actionDue(state, now, policy).kind === 'wait') now = state.nextAt;
  }
  t.deepEqual(gaps, [10_000, 20_000, 40_000]);
  t.is(actionDue(state, now, policy).kind, 'give-up');
  t.is(actionDue({ ...state, gaveUpAt: now }, now, policy).kind, 'given-up');
});

test('the delay is capped', (t) => {
  const s = afterAction({ ...freshRecovery('k'), attempts: 10 }, 0, { ...policy, maxAttempts: 100 }, null);
  t.is(s.nextAt, 300_000);
});

test('a healthy run of the reset period forgives earlier attempts; a shorter one does not', (t) => {
  const tried = { ...freshRecovery('k'), attempts: 3, nextAt: 50, lastProblem: 'image-missing' };
  t.is(afterHealthyRun(tried, 0, 599_999, policy), tried);
  t.like(afterHealthyRun(tried, 0, 600_000, policy), { attempts: 0, nextAt: 0, lastProblem: null });
});

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
