import { runningHealth } from '../../containers/health.js';
import type { ContainerRecord } from '../../docker/types.js';
import { probeFailureReason, type ProbeHealth } from '../../probes/state.js';
import type { DesiredState } from '../../store/desired-state.js';
import type { RecoveryState } from '../../store/recovery-state.js';
import { engineWillRestart, type RecoveryAction } from './policy.js';

/** The actions an alert rule may ask for with its `vigil_action` label. */
export const alertActions = ['restart', 'start', 'recreate'] as const;
export type AlertAction = (typeof alertActions)[number];

export interface AlertRequest {
  alertname: string;
  action: AlertAction;
}

export interface DiagnosisInput {
  record: ContainerRecord;
  desired: DesiredState | undefined;
  recovery: RecoveryState;
  /** Whether the image the container names (its Config.Image) resolves to an image on the engine. */
  imagePresent: boolean;
  /** A firing alert whose rule asks vigil to act on this container (its `vigil_action` label), if any. */
  alert?: AlertRequest;
  now: number;
  /** What its label-declared probes found (vigil.probe.*); they decide only without a HEALTHCHECK. */
  probe?: ProbeHealth | null;
}

export type Diagnosis =
  | { kind: 'healthy'; reason: string }
  | { kind: 'leave'; reason: string }
  | { kind: 'wait'; reason: string; recheckInMs: number }
  | { kind: 'act'; action: RecoveryAction; reason: string; problem?: string }
  | { kind: 'report'; reason: string };

/** How long to give the engine's own restart policy before vigil steps in. */
export const ENGINE_POLICY_GRACE_MS = 10_000;

/**
 * Pure: what is wrong with a container and what to do about it, from its record, desired state and
 * recovery history. The order of the checks is the order of precedence.
 */
export function diagnose(input: DiagnosisInput): Diagnosis {
  const { record, desired, recovery } = input;
  if (record.state === 'running') {
    if (record.health?.status === 'unhealthy') {
      const last = record.health.log.at(-1)?.output.trim();
      return {
        kind: 'act',
        action: 'restart',
        reason: `unhealthy: ${record.health.failingStreak} failed checks${last ? ` (last: ${last.slice(0, 200)})` : ''}`,
      };
    }
    if (input.probe && runningHealth(record, input.probe) === 'unhealthy') {
      const why = probeFailureReason(input.probe, input.now) ?? 'its probes fail';
      return { kind: 'act', action: 'restart', reason: `unhealthy: ${why}` };
    }
    // severity never implies an action: only the rule's own vigil_action does
    if (input.alert && input.alert.action !== 'start') {
      return {
        kind: 'act',
        action: input.alert.action,
        reason: `alert ${input.alert.alertname} is firing and asks for ${input.alert.action} (vigil_action)`,
      };
    }
    return { kind: 'healthy', reason: record.health ? `running, ${record.health.status}` : 'running' };
  }
  if (record.state === 'paused') return { kind: 'leave', reason: 'paused' };
  if (record.state === 'restarting')
    return { kind: 'wait', reason: 'the engine is restarting it', recheckInMs: ENGINE_POLICY_GRACE_MS };
  if (record.state === 'removing') return { kind: 'leave', reason: 'being removed' };
  if (!desired) return { kind: 'leave', reason: 'no desired state recorded' };
  if (desired.desired === 'stopped') return { kind: 'leave', reason: `should stay stopped: ${desired.reason}` };
  if (record.state === 'created') return { kind: 'leave', reason: 'created, never started' };

  // exited or dead, and it should run
  if (!input.imagePresent) {
    return { kind: 'act', action: 'pull', reason: `image ${record.image} is missing`, problem: 'image-missing' };
  }
  if (recovery.lastProblem === 'image-missing') {
    return { kind: 'act', action: 'recreate', reason: `image ${record.image} is back; recreating from it` };
  }
  if (/network .* not found|no such network/i.test(record.error)) {
    return { kind: 'act', action: 'recreate', reason: `its network is gone: ${record.error}` };
  }
  if (/no such (file or directory|volume)|invalid mount|mount denied/i.test(record.error)) {
    return { kind: 'report', reason: `cannot start: ${record.error}` };
  }
  if (engineWillRestart(record, 'exit', false)) {
    const since = record.finishedAt ? input.now - record.finishedAt.getTime() : 0;
    if (since < ENGINE_POLICY_GRACE_MS) {
      return {
        kind: 'wait',
        reason: `restart policy ${record.restartPolicy.name} will bring it back`,
        recheckInMs: ENGINE_POLICY_GRACE_MS - since,
      };
    }
  }
  const cause = record.oomKilled ? 'OOM-killed' : `crashed with exit code ${record.exitCode ?? 'unknown'}`;
  return { kind: 'act', action: 'start', reason: `${cause}; the engine did not restart it` };
}
