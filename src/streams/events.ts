import type { ExitCause } from '../containers/health.js';
import type { ContainerState, HealthStatus } from '../docker/types.js';
import type { Incident } from '../incidents/incident.js';
import type { BootTrigger } from '../recovery/boot/boot-plan.js';
import type { BootSummary } from '../recovery/boot/boot-report.js';
import type { ActionOutcome, ActionTrigger } from '../recovery/medic/actor.js';
import type { ChainStep } from '../recovery/dependants/dependant-step.js';
import type { PersonSource } from '../recovery/intent/intent-tracker.js';
import type { PersonAction } from '../recovery/intent/person-actions.js';
import type { RecoveryAction } from '../recovery/decisions/policy.js';
import type { HostResource } from '../resources/host-watch.js';
import type { SpikeLevel, SpikeResource } from '../resources/spikes.js';

/**
 * Every event vigil publishes, one interface per `type`: the bus (event-bus.ts) takes only these,
 * and /api/v1/events, the WebSocket, NATS, notifications, incidents and the page read them as typed
 * here. A field renamed on one side only fails the type check (test/types/events.ts proves it).
 */

export interface ContainerRef {
  id: string;
  name: string;
}

export interface IncidentRef {
  id: string;
  /** The step of the incident this event is. */
  seq: number;
  subject: string;
}

/** The fields every event carries, whatever its type. */
interface Envelope {
  /** The vigil's host (VIGIL_HOST): events from a fleet can be followed together and told apart. */
  host?: string;
  /** Increasing, and across restarts too (seeded from the clock); SSE clients resume with Last-Event-ID. */
  id: number;
  time: string;
  /** The container it is about; events about no container have none. */
  container?: ContainerRef;
  /** The open incident of its container, if any (src/incidents): notifications about it thread on it. */
  incident?: IncidentRef;
}

/** An event about one container: it always names it. */
interface AboutContainer extends Envelope {
  container: ContainerRef;
}

/** An event about the host or vigil itself: it names no container. */
interface AboutNoContainer extends Envelope {
  container?: undefined;
}

export interface ContainerStateEvent extends AboutContainer {
  type: 'container.state';
  data: {
    /** Null for a container seen for the first time (or one that came back after it was removed). */
    from: ContainerState | null;
    to: ContainerState | 'removed';
    /** On an exit only. */
    exitCode?: number | null;
    oomKilled?: boolean;
    /** Why it exited (health.ts's one judgement), on an exit only. */
    cause?: ExitCause;
    /**
     * When the engine says it exited (its event's time), on an exit only: the same for the live event
     * and for the engine's replay of it to a vigil started again, so that its news is told once.
     */
    exitedAt?: string;
  };
}

export interface ContainerHealthEvent extends AboutContainer {
  type: 'container.health';
  data: {
    from: HealthStatus | null;
    to: HealthStatus | null;
    /** From its HEALTHCHECK, its label-declared probes (vigil.probe.*), or inferred from its state. */
    source: 'healthcheck' | 'probe' | 'state';
    /** With a HEALTHCHECK or an exec probe only. */
    failingStreak?: number;
    lastOutput?: string;
    /** Why its probes call it unhealthy: which probe, what it ran or matched, what it said. */
    reason?: string;
  };
}

/** What vigil does about one new alert state, in words for the event and the notification. */
export interface AlertDecision {
  action: string | null;
  note: string;
}

export interface AlertEvent extends Envelope {
  type: 'alert';
  data: {
    status: 'firing' | 'resolved';
    alertname: string;
    severity: 'critical' | 'warning' | 'info';
    fingerprint: string;
    startsAt: string;
    summary: string;
    description: string;
    labels: Record<string, string>;
    vigil: AlertDecision;
    /** What the alert calls its container, when that is no container of this host. */
    containerRef?: string;
  };
}

export interface AlertAcknowledgedEvent extends AboutNoContainer {
  type: 'alert.acknowledged';
  data: { fingerprint: string; alertname: string; by: string; silenceId: string | null };
}

export interface RecoveryStartedEvent extends AboutContainer {
  type: 'recovery.started';
  data: { action: RecoveryAction; reason: string };
}

/** An action the medic took (counted unless after a restart), or one a person asked for (never counted). */
export interface RecoveryActionEvent extends AboutContainer {
  type: 'recovery.action';
  data: {
    action: RecoveryAction | PersonAction;
    reason: string;
    outcome: ActionOutcome;
    error?: string;
    counted: boolean;
    /** A person's action: who asked. */
    by?: PersonSource;
    /** The medic's actions only, from here on. */
    attempt?: number;
    interrupted?: string;
    /** Set when the action came of a restart of the engine or vigil, or of a dependency coming back. */
    trigger?: ActionTrigger;
    nextAllowedAt?: string;
    ms?: number;
  };
}

export interface RecoveryGaveUpEvent extends AboutContainer {
  type: 'recovery.gave_up';
  data: { reason: string; attempts: number };
}

/** A problem vigil cannot fix: said once, and again when it comes back after a quiet spell. */
export interface RecoveryReportEvent extends AboutContainer {
  type: 'recovery.report';
  data: { reason: string };
}

/** A problem vigil will not fix (its policy or labels say so), said as `recovery.report` is. */
export interface RecoverySkippedEvent extends AboutContainer {
  type: 'recovery.skipped';
  data: { reason: string };
}

export interface RecoveryCleanupEvent extends AboutContainer {
  type: 'recovery.cleanup';
  data: { action: 'cleanup'; reason: string; exitCode: number | null; logLines: number };
}

export interface RecoveryBootEvent extends AboutNoContainer {
  type: 'recovery.boot';
  data: {
    trigger: BootTrigger;
    restarted: 'engine' | 'host' | 'vigil';
    at: string;
    recovered: string[];
    failed: { name: string; reason: string }[];
    skipped: { name: string; reason: string }[];
    summary: BootSummary;
    sentence: string;
  };
}

export interface RecoveryDependantsEvent extends AboutContainer {
  type: 'recovery.dependants';
  data: { steps: ChainStep[] };
}

export interface RecoveryCycleEvent extends AboutContainer {
  type: 'recovery.cycle';
  /** The names around the cycle, in order. */
  data: { cycle: string[] };
}

export interface IncidentClosedEvent extends AboutContainer {
  type: 'incident.closed';
  data: { id: string; outcome: Exclude<Incident['outcome'], 'open'>; durationSeconds: number; steps: number };
}

/** What a spike detector says as a level changes; `notify` is whether vigil itself tells people. */
export interface SpikeChange {
  level: SpikeLevel;
  previous: SpikeLevel;
  warn: number;
  crit: number;
  forSeconds: number;
  notify: boolean;
}

/** A container's CPU or memory against its limit (src/resources/spike-watch.ts). */
export interface ResourceSpikeData extends SpikeChange {
  resource: SpikeResource;
  percent: number;
}

export interface ResourceSpikeEvent extends AboutContainer {
  type: 'resource.spike';
  data: ResourceSpikeData;
}

export interface ResourceNormalEvent extends AboutContainer {
  type: 'resource.normal';
  data: ResourceSpikeData;
}

/** The host's CPU, memory or notification queue (src/resources/host-watch.ts). */
export interface HostSpikeData extends SpikeChange {
  resource: HostResource;
  /** A percentage, or for `queue` the notifications pending. */
  value: number;
}

export interface HostSpikeEvent extends AboutNoContainer {
  type: 'host.spike';
  data: HostSpikeData;
}

export interface HostNormalEvent extends AboutNoContainer {
  type: 'host.normal';
  data: HostSpikeData;
}

/** One thing that happened, as /api/v1/events and NATS carry it. */
export type VigilEvent =
  | ContainerStateEvent
  | ContainerHealthEvent
  | AlertEvent
  | AlertAcknowledgedEvent
  | RecoveryStartedEvent
  | RecoveryActionEvent
  | RecoveryGaveUpEvent
  | RecoveryReportEvent
  | RecoverySkippedEvent
  | RecoveryCleanupEvent
  | RecoveryBootEvent
  | RecoveryDependantsEvent
  | RecoveryCycleEvent
  | IncidentClosedEvent
  | ResourceSpikeEvent
  | ResourceNormalEvent
  | HostSpikeEvent
  | HostNormalEvent;

export type VigilEventType = VigilEvent['type'];

/** The event of one type. */
export type EventOfType<T extends VigilEventType> = Extract<VigilEvent, { type: T }>;

/** Omit over each member of a union, not over the fields they share. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What a publisher gives the bus: the bus sets the id, the time and the host. */
export type VigilEventInput = DistributiveOmit<VigilEvent, 'id' | 'time' | 'host'>;

/** What a publisher of some types only gives the bus. */
export type EventInput<T extends VigilEventType> = Extract<VigilEventInput, { type: T }>;

/** A type guard for one event type, for `filter` and `find`: `events.filter(isEvent('alert'))`. */
export const isEvent =
  <T extends VigilEventType>(type: T) =>
  <E extends { type: VigilEventType }>(event: E): event is Extract<E, { type: T }> =>
    event.type === type;
