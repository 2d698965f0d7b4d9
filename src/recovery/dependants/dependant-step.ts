import type { Logger } from 'pino';
import type { ContainerRecord } from '../../docker/types.js';
import type { Desired } from '../../store/desired-state.js';
import type { RecoveryState } from '../../store/recovery-state.js';
import type { EventBus } from '../../streams/event-bus.js';
import type { ActionTrigger } from '../medic/actor.js';
import type { MedicOptions } from '../medic/medic-options.js';
import type { RecoveryAction } from '../decisions/policy.js';
import { actionGate } from '../decisions/schedule.js';
import type { FollowStep } from './dependants.js';

/** One dependant of a chain as the `recovery.dependants` event tells it. */
export interface ChainStep {
  name: string;
  action: RecoveryAction | 'none';
  outcome: 'success' | 'failure' | 'skipped';
  reason: string;
}

/** What the medic does with one dependant: leave it (and say why), or act on it, uncounted. */
export type DependantStep =
  | { kind: 'skip'; reason: string }
  | {
      kind: 'act';
      action: RecoveryAction;
      reason: string;
      how: { counted: false; trigger: ActionTrigger; networkMode?: string };
    };

export interface DependantFacts {
  desired: Desired | undefined;
  recovery: RecoveryState;
  now: number;
  options: Pick<MedicOptions, 'autoheal' | 'schedule' | 'selfId'>;
}

/**
 * Pure: whether a dependant of `root`, which just came back, is brought back with it. Never vigil's
 * own container nor one a person stopped; not one already started after the root; each under the
 * medic's label policy and its own backoff. A sidecar whose namespace owner was recreated (`stale`) is
 * recreated into the new one.
 */
export function dependantStep(
  root: ContainerRecord,
  dependant: ContainerRecord,
  link: FollowStep,
  facts: DependantFacts,
): DependantStep {
  const skip = (reason: string): DependantStep => ({ kind: 'skip', reason });
  if (dependant.id === facts.options.selfId) return skip('vigil never acts on its own container');
  // started after what it depends on came back: it already follows it
  if (!link.stale && dependant.state === 'running' && startOf(dependant) >= startOf(root))
    return skip(`already started after ${root.name}`);
  if (facts.desired === 'stopped') return skip('a person stopped it; it stays stopped');
  if (dependant.state !== 'running' && facts.desired !== 'running')
    return skip(`it is ${dependant.state}, not meant to run`);
  const action: RecoveryAction = link.stale ? 'recreate' : 'restart';
  const gate = actionGate(dependant.labels, action, facts.recovery, facts.now, facts.options);
  if (gate.kind === 'refused') return skip(`not acting: ${gate.why}`);
  if (gate.kind !== 'due') return skip(`its own recovery is backing off (${gate.kind})`);
  if (link.stale) {
    const reason = `${root.name} was recreated; its network namespace is gone, so ${dependant.name} is recreated into the new one`;
    const how = { counted: false as const, trigger: 'dependency' as const, networkMode: `container:${root.id}` };
    return { kind: 'act', action, reason, how };
  }
  const reason = `${root.name} came back and ${dependant.name} depends on it (${link.kind})`;
  return { kind: 'act', action, reason, how: { counted: false, trigger: 'dependency' } };
}

/** One `recovery.dependants` event for a chain, unless every dependant already followed on its own. */
export function reportChain(root: ContainerRecord, steps: ChainStep[], out: { bus: EventBus; logger: Logger }): void {
  if (steps.every((s) => s.outcome === 'skipped' && s.reason.startsWith('already'))) return;
  const container = { id: root.shortId, name: root.name };
  out.bus.publish({ type: 'recovery.dependants', container, data: { steps } });
  out.logger.info({ container: root.name, steps }, 'dependants followed');
}

function startOf(record: ContainerRecord): number {
  return record.startedAt?.getTime() ?? 0;
}
