import type {
  HostNormalEvent,
  HostSpikeData,
  HostSpikeEvent,
  ResourceNormalEvent,
  ResourceSpikeEvent,
  SpikeChange,
} from '../../streams/events.js';
import type { MessageBase, Notification, Severity } from '../notification.js';

// each is told only when vigil's own detector is the one to tell (`notify`, VIGIL_SPIKE_NOTIFY)

const spikeSeverity = (level: SpikeChange['level']): Severity => (level === 'critical' ? 'critical' : 'warning');
const lineOf = (d: SpikeChange): number => (d.level === 'critical' ? d.crit : d.warn);

/** A notice of a line crossed, either way: keyed by what crossed which line, in which event. */
function spikeNotice(
  base: MessageBase,
  notice: Pick<Notification, 'key' | 'severity' | 'title' | 'text'>,
): Notification {
  return { ...base, event: 'spike', ...notice };
}

/** A container's CPU or memory over its line for long enough. */
export function resourceSpikeMessage(event: ResourceSpikeEvent, base: MessageBase): Notification | null {
  const c = event.container;
  const d = event.data;
  if (!d.notify) return null;
  return spikeNotice(base, {
    key: `spike/${c.name}/${d.resource}/${d.level}/${event.id}`,
    severity: spikeSeverity(d.level),
    title: `${c.name}: ${d.resource} at ${d.percent} % of its limit`,
    text: `${d.resource} of ${c.name} (${c.id}) has been over ${lineOf(d)} % of its limit for ${d.forSeconds} s (${d.level}). vigil does nothing about it unless the container is labelled vigil.spike.action=restart.`,
  });
}

export function resourceNormalMessage(event: ResourceNormalEvent, base: MessageBase): Notification | null {
  const c = event.container;
  const d = event.data;
  if (!d.notify) return null;
  return spikeNotice(base, {
    key: `spike/${c.name}/${d.resource}/${d.level}/${event.id}`,
    severity: 'info',
    title: `${c.name}: ${d.resource} back to normal (${d.percent} %)`,
    text: `${d.resource} of ${c.name} (${c.id}) has been back below its line for ${d.forSeconds} s.`,
  });
}

/** The host's CPU, memory or notification queue now (src/resources/host-watch.ts). */
const hostReading = (d: HostSpikeData): string =>
  d.resource === 'queue' ? `${d.value} notifications pending` : `${d.resource} at ${d.value} %`;

export function hostSpikeMessage(event: HostSpikeEvent, base: MessageBase): Notification | null {
  const d = event.data;
  if (!d.notify) return null;
  const host = event.host ?? 'the host';
  const what = hostReading(d);
  const line = `${lineOf(d)}${d.resource === 'queue' ? ' pending' : ' %'}`;
  return spikeNotice(base, {
    key: `host/${d.resource}/${d.level}/${event.id}`,
    severity: spikeSeverity(d.level),
    title: `${host}: ${what}`,
    text: `${host} has been over ${line} (${d.level}) for ${d.forSeconds} s: ${what}. vigil does nothing about it by itself.`,
  });
}

export function hostNormalMessage(event: HostNormalEvent, base: MessageBase): Notification | null {
  const d = event.data;
  if (!d.notify) return null;
  const host = event.host ?? 'the host';
  const what = hostReading(d);
  return spikeNotice(base, {
    key: `host/${d.resource}/${d.level}/${event.id}`,
    severity: 'info',
    title: `${host}: ${d.resource} back to normal (${what})`,
    text: `${host} is back below its line: ${what}.`,
  });
}
