import { causeOfStateEvent } from '../containers/health.js';
import type { SpikeResource } from '../resources/spikes.js';
import type { VigilEvent } from '../streams/events.js';

/**
 * What a step of an incident is about: its container's health (unhealthy, a crash, an OOM kill, vigil
 * giving up), one of its resources over its line, or one alert. A sign of recovery is a step of an
 * incident only when it answers trouble of the same concern seen in it and not answered yet: a CPU
 * spike's incident does not recover by a HEALTHCHECK passing, nor a crash's by memory falling back.
 */
export type Concern = 'health' | `resource:${SpikeResource}` | `alert:${string}`;

/** One outage of one container, from the first sign of trouble until it is healthy and quiet again. */
export interface Incident {
  /** Short and stable: in mail headers, webhook payloads and the API. */
  id: string;
  container: { id: string; name: string };
  /** Set at the first sign of trouble and never changed: mail clients thread on it too. */
  subject: string;
  openedAt: string;
  closedAt: string | null;
  /** `stopped`: a person stopped the container while it was open, which ends the outage vigil watches. */
  outcome: 'open' | 'recovered' | 'gave_up' | 'removed' | 'stopped';
  /** What was seen and what vigil did, in order. */
  timeline: {
    at: string;
    seq: number;
    kind: 'seen' | 'did' | 'recovered';
    what: string;
    /** On trouble seen and signs of recovery; absent on what vigil did (and on steps stored before it was kept). */
    concern?: Concern;
  }[];
  /** Sequence of the latest step; each event of the incident carries its own. */
  seq: number;
}

/** Pure: the trouble an event shows about its container, or null (the sign that opens an incident). */
export function troubleOf(event: VigilEvent): { what: string; concern: Concern } | null {
  switch (event.type) {
    case 'container.health': {
      const { to, lastOutput } = event.data;
      if (to !== 'unhealthy') return null;
      return { what: `unhealthy${lastOutput ? `: ${lastOutput.slice(0, 120)}` : ''}`, concern: 'health' };
    }
    case 'container.state': {
      if (event.data.from !== 'running') return null;
      const cause = causeOfStateEvent(event.data);
      if (cause === 'oom-killed') return { what: 'OOM-killed', concern: 'health' };
      if (cause !== 'crashed') return null;
      const code = event.data.exitCode;
      return { what: `crashed${typeof code === 'number' ? ` (exit code ${code})` : ''}`, concern: 'health' };
    }
    case 'resource.spike': {
      const { resource, percent, level } = event.data;
      return { what: `${resource} at ${percent} % of its limit (${level})`, concern: `resource:${resource}` };
    }
    case 'alert':
      return event.data.status === 'firing'
        ? { what: `alert ${event.data.alertname} firing`, concern: `alert:${event.data.alertname}` }
        : null;
    case 'recovery.gave_up':
      return { what: 'vigil gave up recovering it', concern: 'health' };
    default:
      return null;
  }
}

/** Pure: the concerns of an incident's trouble that no sign of recovery has answered since. */
export function unanswered(incident: Pick<Incident, 'timeline'>): Set<Concern> {
  const open = new Set<Concern>();
  for (const step of incident.timeline) {
    if (step.concern === undefined) continue;
    if (step.kind === 'seen') open.add(step.concern);
    else if (step.kind === 'recovered') open.delete(step.concern);
  }
  return open;
}

/** Pure: what an event says it recovered from, if it is a sign of recovery at all. */
function recoveryOf(event: VigilEvent): { what: string; concern: Concern } | null {
  switch (event.type) {
    case 'container.health':
      return event.data.to === 'healthy' ? { what: 'healthy again', concern: 'health' } : null;
    case 'resource.normal':
      return { what: `${event.data.resource} back to normal`, concern: `resource:${event.data.resource}` };
    case 'alert':
      return event.data.status === 'resolved'
        ? { what: `alert ${event.data.alertname} resolved`, concern: `alert:${event.data.alertname}` }
        : null;
    default:
      return null;
  }
}

/**
 * Pure: a step of an open incident that is not trouble: what vigil (or a person) did to its container,
 * or a sign of recovery from trouble seen in it and not yet answered. Other signs tell another story
 * than this incident's (a HEALTHCHECK passing during a CPU spike) and are no step of it.
 */
export function stepOf(
  event: VigilEvent,
  incident: Pick<Incident, 'timeline'>,
): { kind: 'did' | 'recovered'; what: string; concern?: Concern } | null {
  if (event.type === 'recovery.action') {
    const { action, outcome, reason } = event.data;
    return { kind: 'did', what: `${action} ${outcome}: ${reason}` };
  }
  const recovery = recoveryOf(event);
  if (recovery === null) return null;
  // an incident stored before steps said their concern: any sign of recovery is taken, as it was then
  const legacy = incident.timeline.some((step) => step.kind === 'seen' && step.concern === undefined);
  if (!legacy && !unanswered(incident).has(recovery.concern)) return null;
  return { kind: 'recovered', ...recovery };
}

/**
 * Pure: whether an event ends its container's open incident, and how. A person's stop is their taking
 * the container over: it stays down on purpose, so the incident would otherwise stay open until the
 * container ran again, maybe days later, with every event meanwhile threaded into it.
 */
export function endOf(event: VigilEvent): 'gave_up' | 'stopped' | null {
  if (event.type === 'recovery.gave_up') return 'gave_up';
  if (event.type === 'recovery.action' && event.data.by !== undefined)
    return event.data.action === 'stop' && event.data.outcome === 'success' ? 'stopped' : null;
  return null;
}

/** Pure: an incident with one more step; its sequence number moves on. */
export function withStep(
  incident: Incident,
  at: string,
  kind: Incident['timeline'][number]['kind'],
  what: string,
  concern?: Concern,
): Incident {
  const seq = incident.seq + 1;
  const step = { at, seq, kind, what, ...(concern !== undefined ? { concern } : {}) };
  return { ...incident, seq, timeline: [...incident.timeline, step] };
}
