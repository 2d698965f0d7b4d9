import { backoffDelay } from '../../backoff.js';
import type { RecoveryState } from '../../store/recovery-state.js';
import { actionPermitted, type PolicyScope, type RecoveryAction } from './policy.js';

export interface SchedulePolicy {
  baseMs: number;
  maxMs: number;
  /** Running healthy this long forgives every earlier attempt. */
  resetAfterMs: number;
  maxAttempts: number;
}

export type Due = { kind: 'due' } | { kind: 'wait'; waitMs: number } | { kind: 'give-up' } | { kind: 'given-up' };

/**
 * Pure: may an action be taken now? The first is immediate; after attempt n the next waits
 * base × 2^(n-1), capped (10, 20, 40 s … 5 min, as a kubelet does). When maxAttempts actions have not
 * helped and another is needed, vigil gives up (once; `given-up` after that).
 */
export function actionDue(state: RecoveryState, now: number, policy: SchedulePolicy): Due {
  if (state.gaveUpAt !== null) return { kind: 'given-up' };
  if (now < state.nextAt) return { kind: 'wait', waitMs: state.nextAt - now };
  return state.attempts >= policy.maxAttempts ? { kind: 'give-up' } : { kind: 'due' };
}

/** Pure: the state after an action, successful or not. */
export function afterAction(
  state: RecoveryState,
  now: number,
  policy: SchedulePolicy,
  problem: string | null,
): RecoveryState {
  const attempts = state.attempts + 1;
  return {
    ...state,
    attempts,
    lastActionAt: now,
    nextAt: now + backoffDelay(attempts - 1, { initialMs: policy.baseMs, maxMs: policy.maxMs }),
    lastProblem: problem,
  };
}

/** Pure: a container running healthy since `healthySince` long enough starts over with a clean slate. */
export function afterHealthyRun(
  state: RecoveryState,
  healthySince: number | null,
  now: number,
  policy: SchedulePolicy,
): RecoveryState {
  if (healthySince === null || state.attempts === 0 || now - healthySince < policy.resetAfterMs) return state;
  return { ...state, attempts: 0, nextAt: 0, gaveUpAt: null, lastProblem: null };
}

/**
 * Pure: whether an action may be taken now, for the medic and the dependant follower alike: the label
 * policy first (`refused` says why not), then the container's backoff.
 */
export function actionGate(
  labels: Record<string, string>,
  action: RecoveryAction,
  state: RecoveryState,
  now: number,
  options: { autoheal: PolicyScope; schedule: SchedulePolicy },
): Due | { kind: 'refused'; why: string } {
  const permitted = actionPermitted(labels, options.autoheal, action);
  return permitted.allowed ? actionDue(state, now, options.schedule) : { kind: 'refused', why: permitted.why };
}
