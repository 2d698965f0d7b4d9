import type { RecoveryState } from '../../store/recovery-state.js';
import type { AlertRequest, Diagnosis } from './diagnosis.js';
import type { PolicyScope, RecoveryAction } from './policy.js';
import { actionGate, afterHealthyRun, type SchedulePolicy } from './schedule.js';

/** What the medic does after one evaluation of a container that needs something. */
export type Step =
  | { kind: 'nothing' }
  | { kind: 'recheck'; inMs: number }
  | { kind: 'report'; event: 'recovery.report' | 'recovery.skipped'; reason: string }
  | { kind: 'give-up'; reason: string }
  | { kind: 'act'; action: RecoveryAction; reason: string; problem?: string };

export interface Decision {
  step: Step;
  /**
   * Whether a waiting alert request is answered by this step, and so dropped: one firing alert, one
   * reconcile. Acting, refusing, or finding nothing to do answers it; waiting does not.
   */
  alertAnswered: boolean;
  /** Said in the history when an alert asked for an action the diagnosis gives no reason for. */
  alertNote: string | null;
}

export interface StepInput {
  diagnosis: Diagnosis;
  alert: AlertRequest | undefined;
  labels: Record<string, string>;
  recovery: RecoveryState;
  now: number;
  options: { autoheal: PolicyScope; schedule: SchedulePolicy };
}

/** Pure: from the diagnosis, the label policy and the backoff, the medic's next step on a container. */
export function nextStep({ diagnosis, alert, labels, recovery, now, options }: StepInput): Decision {
  const declined = alert && diagnosis.kind !== 'act' && diagnosis.kind !== 'wait';
  const alertNote = declined
    ? `alert ${alert.alertname} asks for ${alert.action}; not acting: ${diagnosis.reason}`
    : null;
  const decide = (step: Step, answered = Boolean(declined)): Decision => ({
    step,
    alertAnswered: alert !== undefined && answered,
    alertNote,
  });
  switch (diagnosis.kind) {
    case 'healthy':
    case 'leave':
      return decide({ kind: 'nothing' });
    case 'wait':
      return decide({ kind: 'recheck', inMs: diagnosis.recheckInMs });
    case 'report':
      return decide({ kind: 'report', event: 'recovery.report', reason: diagnosis.reason });
    case 'act': {
      const gate = actionGate(labels, diagnosis.action, recovery, now, options);
      if (gate.kind === 'refused') {
        const reason = `${diagnosis.reason}; not acting: ${gate.why}`;
        return decide({ kind: 'report', event: 'recovery.skipped', reason }, true);
      }
      if (gate.kind === 'wait') return decide({ kind: 'recheck', inMs: gate.waitMs });
      if (gate.kind === 'given-up') return decide({ kind: 'nothing' });
      if (gate.kind === 'give-up') return decide({ kind: 'give-up', reason: diagnosis.reason });
      const { action, reason, problem } = diagnosis;
      return decide({ kind: 'act', action, reason, ...(problem !== undefined ? { problem } : {}) }, true);
    }
  }
}

/**
 * Pure: a running, healthy container's recovery state after a look (forgiven once it has run healthy for
 * the reset period) and, while it still owes attempts, in how long to look again to forgive them.
 */
export function reviewHealthyRun(
  recovery: RecoveryState,
  startedAt: number | null,
  now: number,
  policy: SchedulePolicy,
): { state: RecoveryState; recheckInMs: number | null } {
  const forgiven = afterHealthyRun(recovery, startedAt, now, policy);
  if (forgiven !== recovery || recovery.attempts === 0) return { state: forgiven, recheckInMs: null };
  return { state: recovery, recheckInMs: Math.max(1000, policy.resetAfterMs - (now - (startedAt ?? now)) + 100) };
}
