import test from 'ava';
import { actionDue, afterAction, afterHealthyRun } from '../../../src/recovery/decisions/schedule.js';
import { freshRecovery } from '../../../src/store/recovery-state.js';

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
