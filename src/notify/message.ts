import type { VigilEvent } from '../streams/events.js';
import { messageBuilders } from './messages/index.js';
import type { MessageBase, Notification } from './notification.js';

export { plural, severityRank, type Notification, type NotifyEvent, type Severity } from './notification.js';
export { groupNotifications, wants } from './routing.js';

export interface LinkOptions {
  grafanaUrl?: string;
  alertmanagerUrl?: string;
}

function links(options: LinkOptions, container?: { name: string }): Notification['links'] {
  const out: Notification['links'] = [];
  if (options.grafanaUrl) {
    out.push({
      label: 'Grafana',
      url: container
        ? `${options.grafanaUrl}/d/vigil?var-container=${encodeURIComponent(container.name)}`
        : options.grafanaUrl,
    });
  }
  if (options.alertmanagerUrl) out.push({ label: 'Alertmanager', url: `${options.alertmanagerUrl}/#/alerts` });
  return out;
}

/**
 * Pure: the notification an event on the bus calls for, if any: ill-health, crashes, OOM kills,
 * recoveries, giving up, and what came back after a restart. Each event type has its builder in
 * messages/; this adds what every message carries.
 */
export function notificationFor(event: VigilEvent, options: LinkOptions = {}): Notification | null {
  const c = event.container;
  const base: MessageBase = { at: event.time, ...(c ? { container: c } : {}), links: links(options, c) };
  if (event.incident) base.incident = event.incident;
  // the map is keyed by type, so this builder takes this event; TypeScript cannot follow that correlation
  const build = messageBuilders[event.type] as (event: VigilEvent, base: MessageBase) => Notification | null;
  return build(event, base);
}
