import { causeOfStateEvent } from '../containers/health.js';
import type { VigilEvent } from '../streams/event-bus.js';

/** One outage of one container, from the first sign of trouble until it is healthy and quiet again. */
export interface Incident {
  /** Short and stable: in mail headers, webhook payloads and the API. */
  id: string;
  container: { id: string; name: string };
  /** Set at the first sign of trouble and never changed: mail clients thread on it too. */
  subject: string;
  openedAt: string;
  closedAt: string | null;
  outcome: 'open' | 'recovered' | 'gave_up' | 'removed';
  /** What was seen and what vigil did, in order. */
  timeline: { at: string; seq: number; kind: 'seen' | 'did' | 'recovered'; what: string }[];
  /** Sequence of the latest step; each event of the incident carries its own. */
  seq: number;
}

/** Pure: the trouble an event shows about its container, or null (the sign that opens an incident). */
export function troubleOf(event: VigilEvent): string | null {
  const d = event.data;
  switch (event.type) {
    case 'container.health':
      return d.to === 'unhealthy'
        ? `unhealthy${typeof d.lastOutput === 'string' && d.lastOutput ? `: ${d.lastOutput.slice(0, 120)}` : ''}`
        : null;
    case 'container.state': {
      if (d.from !== 'running') return null;
      const cause = causeOfStateEvent(d);
      if (cause === 'oom-killed') return 'OOM-killed';
      return cause === 'crashed' ? `crashed (exit code ${String(d.exitCode)})` : null;
    }
    case 'resource.spike':
      return `${String(d.resource)} at ${String(d.percent)} % of its limit (${String(d.level)})`;
    case 'alert':
      return d.status === 'firing' ? `alert ${String(d.alertname)} firing` : null;
    case 'recovery.gave_up':
      return 'vigil gave up recovering it';
    default:
      return null;
  }
}

/** Pure: a step of an open incident that is not trouble: what vigil did, or a sign of recovery. */
export function stepOf(event: VigilEvent): { kind: 'did' | 'recovered'; what: string } | null {
  const d = event.data;
  if (event.type === 'recovery.action')
    return { kind: 'did', what: `${String(d.action)} ${String(d.outcome)}: ${String(d.reason)}` };
  if (event.type === 'container.health' && d.to === 'healthy') return { kind: 'recovered', what: 'healthy again' };
  if (event.type === 'resource.normal') return { kind: 'recovered', what: `${String(d.resource)} back to normal` };
  if (event.type === 'alert' && d.status === 'resolved')
    return { kind: 'recovered', what: `alert ${String(d.alertname)} resolved` };
  return null;
}

/** Pure: an incident with one more step; its sequence number moves on. */
export function withStep(
  incident: Incident,
  at: string,
  kind: Incident['timeline'][number]['kind'],
  what: string,
): Incident {
  const seq = incident.seq + 1;
  return { ...incident, seq, timeline: [...incident.timeline, { at, seq, kind, what }] };
}
