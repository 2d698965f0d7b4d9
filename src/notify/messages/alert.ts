import type { AlertEvent } from '../../streams/events.js';
import type { MessageBase, Notification } from '../notification.js';

/** An alert from Alertmanager (or vigil's own), firing or resolved, with what vigil does about it. */
export function alertMessage(event: AlertEvent, base: MessageBase): Notification {
  const c = event.container;
  const { status, alertname, fingerprint, startsAt, summary, description, containerRef } = event.data;
  const firing = status === 'firing';
  const on = c ? ` on ${c.name}` : containerRef !== undefined ? ` on ${containerRef}` : '';
  const note = event.data.vigil.note;
  return {
    ...base,
    key: `alert/${fingerprint}/${startsAt}/${status}`,
    event: 'alert',
    severity: firing ? event.data.severity : 'info',
    title: `[${firing ? 'FIRING' : 'RESOLVED'}] ${alertname}${on}`,
    text: [
      [summary, description].filter(Boolean).join('\n') || `Alert ${alertname}${on} is ${status}.`,
      ...(firing && note ? [`vigil: ${note}.`] : []),
    ].join('\n'),
  };
}
