import type { IncidentClosedEvent } from '../../streams/events.js';
import { plural, type MessageBase, type Notification } from '../notification.js';

/** An incident that closed because its container recovered; one closed otherwise was told already. */
export function incidentClosedMessage(event: IncidentClosedEvent, base: MessageBase): Notification | null {
  const c = event.container;
  const { id, outcome, durationSeconds, steps } = event.data;
  if (outcome !== 'recovered') return null;
  const seconds = Math.round(durationSeconds);
  return {
    ...base,
    key: `incident/${id}/closed`,
    event: 'recovered',
    severity: 'info',
    title: `${c.name} recovered: incident closed after ${seconds} s`,
    text: `${c.name} (${c.id}) has been healthy and quiet again; the incident closed after ${plural(steps, 'step')} in ${seconds} s. GET /api/v1/incidents has its timeline.`,
  };
}
