import { OWN_ALERTNAMES, type OwnAlert, type OwnSeverity } from './outgoing.js';

/** A container vigil gave up recovering, and whether it is healthy again since (running, not unhealthy). */
export interface GivenUpFact {
  name: string;
  healthy: boolean;
}

/** What the alerts vigil raises itself are decided from, read at each resend. */
export interface OwnAlertFacts {
  gaveUp: readonly GivenUpFact[];
  /** Containers whose probe fails now (src/probes, through OwnAlertSources.probe), with why. */
  probesFailing: readonly { name: string; detail: string }[];
  /** Containers over a spike line now (resource.spike events), by resource and level. */
  spikes: readonly { name: string; resource: 'cpu' | 'memory'; level: 'warning' | 'critical' }[];
  /** The host over a line now (host.spike events). */
  host: readonly { resource: 'cpu' | 'memory'; level: 'warning' | 'critical' }[];
  /** Notification channels whose status is `error` (src/notify/channel-status.ts). */
  channelsFailing: readonly { name: string; lastError: string | null }[];
  /** Containers the last boot reconcile tried to start and could not, still not running. */
  bootLeftDown: readonly { name: string; reason: string }[];
}

const spikeNames = { cpu: OWN_ALERTNAMES.cpuSpike, memory: OWN_ALERTNAMES.memorySpike } as const;
const hostNames = { cpu: OWN_ALERTNAMES.hostCpu, memory: OWN_ALERTNAMES.hostMemory } as const;

const alert = (
  alertname: string,
  severity: OwnSeverity,
  container: string | null,
  summary: string,
  description: string,
  extraLabels?: Record<string, string>,
): OwnAlert => ({ alertname, severity, container, summary, description, ...(extraLabels ? { extraLabels } : {}) });

/** Pure: the alerts active now, from the facts of this moment. */
export function activeOwnAlerts(facts: OwnAlertFacts, host: string): OwnAlert[] {
  return [
    ...facts.gaveUp
      .filter((c) => !c.healthy)
      .map((c) =>
        alert(
          OWN_ALERTNAMES.gaveUp,
          'critical',
          c.name,
          `vigil gave up recovering ${c.name}`,
          `vigil on ${host} stopped trying to recover container ${c.name}: it needs a person.`,
        ),
      ),
    ...facts.probesFailing.map((p) =>
      alert(
        OWN_ALERTNAMES.probe,
        'warning',
        p.name,
        `the probe of ${p.name} is failing`,
        `vigil's probe of container ${p.name} on ${host} fails: ${p.detail}`,
      ),
    ),
    ...facts.spikes.map((s) =>
      alert(
        spikeNames[s.resource],
        s.level,
        s.name,
        `${s.resource} of ${s.name} over its ${s.level} line`,
        `Container ${s.name} on ${host} has been over its ${s.resource} ${s.level} line.`,
      ),
    ),
    ...facts.host.map((h) =>
      alert(
        hostNames[h.resource],
        h.level,
        null,
        `${h.resource} of ${host} over its ${h.level} line`,
        `The host ${host} has been over its ${h.resource} ${h.level} line.`,
      ),
    ),
    ...facts.channelsFailing.map((c) =>
      alert(
        OWN_ALERTNAMES.channel,
        'warning',
        null,
        `notification channel ${c.name} is failing`,
        `vigil on ${host} cannot deliver through channel ${c.name}${c.lastError ? `: ${c.lastError}` : ''}.`,
        { channel: c.name },
      ),
    ),
    ...facts.bootLeftDown.map((b) =>
      alert(
        OWN_ALERTNAMES.bootLeftDown,
        'critical',
        b.name,
        `${b.name} is still down after vigil's boot reconcile`,
        `vigil on ${host} could not start container ${b.name} after a restart: ${b.reason}`,
      ),
    ),
  ];
}
