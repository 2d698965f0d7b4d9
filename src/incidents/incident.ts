import { causeOfStateEvent } from '../containers/health.js';
import type { VigilEvent } from '../streams/events.js';

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
  switch (event.type) {
    case 'container.health': {
      const { to, lastOutput } = event.data;
      return to === 'unhealthy' ? `unhealthy${lastOutput ? `: ${lastOutput.slice(0, 120)}` : ''}` : null;
    }
    case 'container.state': {
      if (event.data.from !== 'running') return null;
      const cause = causeOfStateEvent(event.data);
      if (cause === 'oom-killed') return 'OOM-killed';
      return cause === 'crashed' ? `crashed (exit code ${event.data.exitCode})` : null;
    }
    case 'resource.spike': {
      const { resource, percent, level } = event.data;
      return `${resource} at ${percent} % of its limit (${level})`;
    }
    case 'alert':
      return event.data.status === 'firing' ? `alert ${event.data.alertname} firing` : null;
    case 'recovery.gave_up':
      return 'vigil gave up recovering it';
    default:
      return null;
  }
}

/** Pure: a step of an open incident that is not trouble: what vigil did, or a sign of recovery. */
export function stepOf(event: VigilEvent): { kind: 'did' | 'recovered'; what: string } | null {
  switch (event.type) {
    case 'recovery.action': {
      const { action, outcome, reason } = event.data;
      return { kind: 'did', what: `${action} ${outcome}: ${reason}` };
    }
    case 'container.health':
      return event.data.to === 'healthy' ? { kind: 'recovered', what: 'healthy again' } : null;
    case 'resource.normal':
      return { kind: 'recovered', what: `${event.data.resource} back to normal` };
    case 'alert':
      return event.data.status === 'resolved'
        ? { kind: 'recovered', what: `alert ${event.data.alertname} resolved` }
        : null;
    default:
      return null;
  }
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
