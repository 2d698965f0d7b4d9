import type { ContainerRecord } from '../../docker/types.js';

export const recoveryActions = ['restart', 'start', 'recreate', 'pull'] as const;
export type RecoveryAction = (typeof recoveryActions)[number];
export type PolicyScope = 'all' | 'labelled' | 'off';

/**
 * Pure: whether vigil may take `action` on this container. The label `vigil.autoheal=true|false` wins
 * over the scope (all: every container unless labelled false; labelled: only those labelled true);
 * `vigil.autoheal.actions` narrows which actions.
 */
export function actionPermitted(
  labels: Record<string, string>,
  scope: PolicyScope,
  action: RecoveryAction,
): { allowed: boolean; why: string } {
  const label = labels['vigil.autoheal']?.trim().toLowerCase();
  if (label === 'false') return { allowed: false, why: 'labelled vigil.autoheal=false' };
  if (scope === 'off' && label !== 'true') return { allowed: false, why: 'autoheal is off' };
  if (scope === 'labelled' && label !== 'true') return { allowed: false, why: 'not labelled vigil.autoheal=true' };
  const actions = labels['vigil.autoheal.actions'];
  if (actions !== undefined) {
    const allowed = actions.split(',').map((a) => a.trim().toLowerCase());
    if (!allowed.includes(action)) return { allowed: false, why: `vigil.autoheal.actions does not allow ${action}` };
  }
  return { allowed: true, why: 'permitted' };
}

/**
 * Pure: whether the engine's own restart policy will bring a stopped container back, so that vigil
 * waits rather than racing it. After the engine restarts, only `always` and `unless-stopped` (not
 * stopped by the user) are started by the engine.
 */
export function engineWillRestart(
  record: Pick<ContainerRecord, 'restartPolicy' | 'exitCode' | 'restartCount'>,
  after: 'exit' | 'engine-restart',
  userStopped: boolean,
): boolean {
  const { name, maximumRetryCount } = record.restartPolicy;
  if (userStopped) return false;
  if (name === 'always' || name === 'unless-stopped') return true;
  if (after === 'engine-restart') return false;
  if (name === 'on-failure')
    return (record.exitCode ?? 0) !== 0 && (maximumRetryCount === 0 || record.restartCount < maximumRetryCount);
  return false;
}
