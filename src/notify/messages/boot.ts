import type { RecoveryBootEvent } from '../../streams/events.js';
import { plural, type MessageBase, type Notification } from '../notification.js';

/**
 * The recovery notice after an engine or host restart (or a vigil start that acted): the sentence of
 * recovery.boot, then what vigil started and what could not be brought back, and why. An event
 * without its sentence (the shape before the boot report) is told as the list it carries.
 */
export function bootMessage(event: RecoveryBootEvent, base: MessageBase): Notification | null {
  const recovered = event.data.recovered ?? [];
  const failed = event.data.failed ?? [];
  if (typeof event.data.sentence === 'string') return bootNotice(event, base);
  if (recovered.length + failed.length === 0) return null;
  const trigger = event.data.trigger === 'engine-restart' ? 'the Docker engine restarted' : 'vigil started';
  return {
    ...base,
    key: `boot/${event.id}`,
    event: 'boot_recovery',
    severity: failed.length > 0 ? 'critical' : 'warning',
    title: `Recovered ${plural(recovered.length, 'container')} after ${trigger === 'vigil started' ? 'vigil started' : 'an engine restart'}${failed.length ? `; ${failed.length} failed` : ''}`,
    text: [
      `After ${trigger}:`,
      ...recovered.map((n) => `  started ${n}`),
      ...failed.map((f) => `  could not start ${f.name}: ${f.reason}`),
    ].join('\n'),
  };
}

function bootNotice(event: RecoveryBootEvent, base: MessageBase): Notification {
  const { summary, restarted, sentence } = event.data;
  const recovered = event.data.recovered ?? [];
  const failed = event.data.failed ?? [];
  return {
    ...base,
    key: `boot/${event.id}`,
    event: 'boot_recovery',
    severity: failed.length > 0 ? 'critical' : summary.notBack.length > 0 || recovered.length > 0 ? 'warning' : 'info',
    title: `${restarted === 'vigil' ? 'vigil started' : `${restarted === 'host' ? 'Host' : 'Engine'} back`}: ${summary.running} of ${summary.shouldRun} should-run containers running`,
    text: [
      `${sentence}.`,
      ...recovered.map((n) => `  started ${n}`),
      ...summary.notBack.map((f) => `  not back: ${f.name}: ${f.reason}`),
    ].join('\n'),
  };
}
