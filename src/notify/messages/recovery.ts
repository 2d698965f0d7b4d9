import type {
  RecoveryActionEvent,
  RecoveryCleanupEvent,
  RecoveryCycleEvent,
  RecoveryDependantsEvent,
  RecoveryGaveUpEvent,
} from '../../streams/events.js';
import { plural, type MessageBase, type Notification } from '../notification.js';

/** An action of the medic that brought a container back (a person's action is person-action.ts's). */
export function recoveredMessage(event: RecoveryActionEvent, base: MessageBase): Notification | null {
  const c = event.container;
  const { action, reason, outcome, attempt, trigger } = event.data;
  // starts after a restart of the engine or vigil are told once, together, by recovery.boot
  if (outcome !== 'success' || trigger !== undefined) return null;
  return {
    ...base,
    key: `recovered/${c.name}/${event.id}`,
    event: 'recovered',
    severity: 'info',
    title: `${c.name} recovered (${action})`,
    text: `vigil ran ${action} on ${c.name} (${c.id}) because: ${reason}${attempt !== undefined ? ` (attempt ${attempt})` : ''}.`,
  };
}

export function gaveUpMessage(event: RecoveryGaveUpEvent, base: MessageBase): Notification {
  const c = event.container;
  const { attempts, reason } = event.data;
  return {
    ...base,
    key: `gave_up/${c.name}/${event.id}`,
    event: 'gave_up',
    severity: 'critical',
    title: `vigil gave up on ${c.name}`,
    text: `After ${plural(attempts, 'attempt')} vigil stopped trying to recover ${c.name} (${c.id}): ${reason}. It needs a person.`,
  };
}

/** A container vigil had given up on, removed (vigil.cleanup=true) with its last words kept. */
export function cleanupMessage(event: RecoveryCleanupEvent, base: MessageBase): Notification {
  const c = event.container;
  const { reason, exitCode, logLines } = event.data;
  return {
    ...base,
    key: `cleanup/${c.name}/${event.id}`,
    event: 'cleanup',
    severity: 'warning',
    title: `${c.name} removed: vigil had given up on it`,
    text: `vigil removed ${c.name} (${c.id}), labelled vigil.cleanup=true, ${reason}; ${exitCode !== null ? `it last exited with code ${exitCode}` : 'its last exit code is not known'}. Its last ${plural(logLines, 'log line')}, exit code and inspect are kept: GET /api/v1/history/${c.name}.`,
  };
}

/** One message for a whole chain: what came back, and each dependant brought after it (or why not). */
export function dependantsMessage(event: RecoveryDependantsEvent, base: MessageBase): Notification | null {
  const c = event.container;
  const steps = event.data.steps;
  if (steps.length === 0) return null;
  const failed = steps.filter((s) => s.outcome === 'failure');
  const done = steps.filter((s) => s.outcome === 'success');
  return {
    ...base,
    container: c,
    key: `dependants/${c.name}/${base.at}`,
    event: 'dependants',
    severity: failed.length > 0 ? 'critical' : 'info',
    title: `${c.name} came back; ${done.length} of ${plural(steps.length, 'dependant')} brought after it`,
    text: [
      `${c.name} (${c.id}) is running again. What depends on it:`,
      ...steps.map(
        (s) => `  ${s.name}: ${s.action === 'none' ? 'left alone' : `${s.action} ${s.outcome}`} (${s.reason})`,
      ),
    ].join('\n'),
  };
}

/** Dependencies around a cycle: vigil follows none of them. */
export function cycleMessage(event: RecoveryCycleEvent, base: MessageBase): Notification {
  const c = event.container;
  const cycle = event.data.cycle;
  return {
    ...base,
    key: `cycle/${cycle.join(',')}`,
    event: 'dependants',
    severity: 'warning',
    title: `Containers depend on each other in a cycle: ${cycle.join(' → ')}`,
    text: `vigil does not follow dependencies around a cycle; ${c.name} came back and nothing after it was restarted. Break the cycle in their labels (vigil.depends_on, depends_on).`,
  };
}
