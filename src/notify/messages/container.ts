import { causeOfStateEvent } from '../../containers/health.js';
import type { ContainerHealthEvent, ContainerStateEvent } from '../../streams/events.js';
import { plural, type MessageBase, type Notification } from '../notification.js';

/** A HEALTHCHECK that turned unhealthy. */
export function unhealthyMessage(event: ContainerHealthEvent, base: MessageBase): Notification | null {
  const c = event.container;
  const { to, source, failingStreak, lastOutput } = event.data;
  // health inferred from state turns unhealthy on a crash, which is told as a crash
  if (to !== 'unhealthy' || source !== 'healthcheck') return null;
  const after = failingStreak !== undefined ? ` after ${plural(failingStreak, 'failed check')}` : '';
  const said = lastOutput ? `; last check said: ${lastOutput}` : '';
  return {
    ...base,
    key: `unhealthy/${c.name}/${event.time.slice(0, 16)}`,
    event: 'unhealthy',
    severity: 'warning',
    title: `${c.name} is unhealthy`,
    text: `Container ${c.name} (${c.id}) turned unhealthy${after}${said}. vigil restarts it if its policy allows.`,
  };
}

/** A running container that crashed or was OOM-killed; a finished job and a person's stop are not news. */
export function exitMessage(event: ContainerStateEvent, base: MessageBase): Notification | null {
  const c = event.container;
  const cause = causeOfStateEvent(event.data);
  if (cause === null || event.data.from !== 'running') return null;
  // a dead container, or an event of an older shape, may carry no exit code: say none rather than a blank
  const exitCode = typeof event.data.exitCode === 'number' ? event.data.exitCode : null;
  // keyed by the exit itself, not by this event: a vigil SIGKILLed with the crash's message still
  // pending is told the same exit again by the engine's replay, and the outbox's dedupe drops it
  const exit = event.data.exitedAt ?? `event-${event.id}`;
  if (cause === 'oom-killed') {
    return {
      ...base,
      key: `oom/${c.name}/${exit}`,
      event: 'oom',
      severity: 'critical',
      title: `${c.name} was OOM-killed`,
      text: `The kernel killed container ${c.name} (${c.id}) for running out of memory${exitCode !== null ? ` (exit code ${exitCode})` : ''}.`,
    };
  }
  if (cause !== 'crashed') return null;
  return {
    ...base,
    key: `crash/${c.name}/${exit}`,
    event: 'crash',
    severity: 'critical',
    title: `${c.name} crashed${exitCode !== null ? ` (exit code ${exitCode})` : ''}`,
    text: `Container ${c.name} (${c.id}) ${exitCode !== null ? `exited with code ${exitCode}` : 'died with no exit code known'}. vigil brings it back if its policy allows.`,
  };
}
