import { plural, severityRank, type Notification, type NotifyEvent, type Severity } from './notification.js';

/** Pure: whether a channel wants this notification. */
export function wants(channel: { events?: readonly NotifyEvent[]; minSeverity: Severity }, n: Notification): boolean {
  return (
    (!channel.events || channel.events.includes(n.event)) &&
    severityRank[n.severity] >= severityRank[channel.minSeverity]
  );
}

/** Pure: several notifications of one burst as one message. */
export function groupNotifications(batch: readonly Notification[]): Notification {
  if (batch.length === 1) return batch[0]!;
  const worst = batch.reduce((a, b) => (severityRank[b.severity] > severityRank[a.severity] ? b : a));
  const containers = [...new Set(batch.map((n) => n.container?.name).filter(Boolean))];
  const incidents = new Set(batch.map((n) => n.incident?.id));
  const last = batch.at(-1)!;
  return {
    // one incident's burst stays in its thread; a mix of incidents does not belong to any one
    ...(incidents.size === 1 && last.incident ? { incident: last.incident } : {}),
    key: batch.map((n) => n.key).join('+'),
    event: worst.event,
    severity: worst.severity,
    title: `${batch.length} events about ${plural(containers.length, 'container')}: ${containers.slice(0, 5).join(', ')}${containers.length > 5 ? ', …' : ''}`,
    text: batch.map((n) => `• ${n.title}\n  ${n.text.replace(/\n/g, '\n  ')}`).join('\n'),
    links: worst.links,
    at: batch[0]!.at,
  };
}
