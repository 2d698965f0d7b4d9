import type { ContainerRecord, HealthStatus } from '../docker/types.js';
import { isCurrent, type ProbeHealth } from '../probes/state.js';
import type { ContainerStateEvent } from '../streams/events.js';

/** What vigil knows of a container to say whether it is ill: its record and what the engine's events told. */
export interface HealthFacts {
  record: ContainerRecord;
  /**
   * The engine's time of the latest kill vigil saw it deliver (`docker stop`, `docker kill`, the API):
   * the exit that follows it is a person's stop, not a crash. Null when vigil saw none.
   */
  stopRequestedAt: Date | null;
  /** When vigil began watching the container: of an exit before then it read no event. */
  watchedSince: Date;
  /** What its label-declared probes (vigil.probe.*) found; absent or null when it has none. */
  probe?: ProbeHealth | null;
}

/** Why an exited container ended. Only a crash and an OOM kill are trouble. */
export const exitCauses = ['stopped', 'finished', 'crashed', 'oom-killed'] as const;
export type ExitCause = (typeof exitCauses)[number];

/** How long after a kill the exit is still its doing: `docker stop` waits 10 s before its SIGKILL by default. */
export const STOP_TO_EXIT_MS = 60_000;

/**
 * Exit codes of a process ended by SIGINT, SIGKILL or SIGTERM (128 + signal): what `docker stop` and
 * `docker kill` leave. Only for an exit vigil did not see happen; a SIGKILL of the kernel's OOM killer
 * is told apart by the engine's OOMKilled.
 */
const SIGNALLED_FROM_OUTSIDE: ReadonlySet<number> = new Set([130, 137, 143]);

/** What vigil knows of an exit's circumstances; null fields for an exit it knows nothing of. */
export interface ExitFacts {
  exitCode: number | null;
  oomKilled: boolean;
  finishedAt: Date | null;
  stopRequestedAt: Date | null;
  watchedSince: Date | null;
}

/**
 * Pure: why a container exited. A kill the engine delivered just before the exit is a stop; an exit
 * vigil did not see, by a signal from outside, is taken as one too (nothing else would have told).
 * Otherwise exit code 0 is a finished job and any other a crash; an OOM kill is always trouble.
 */
export function exitCause(exit: ExitFacts): ExitCause {
  if (exit.oomKilled) return 'oom-killed';
  const finished = exit.finishedAt?.getTime() ?? null;
  const killed = exit.stopRequestedAt?.getTime() ?? null;
  // the engine stamps the kill event and FinishedAt from the same clock; a second of slack for rounding
  if (finished !== null && killed !== null && finished >= killed - 1000 && finished - killed <= STOP_TO_EXIT_MS)
    return 'stopped';
  const code = exit.exitCode ?? 0;
  const unseen = finished === null || exit.watchedSince === null || finished < exit.watchedSince.getTime();
  if (unseen && SIGNALLED_FROM_OUTSIDE.has(code)) return 'stopped';
  return code === 0 ? 'finished' : 'crashed';
}

export const isTrouble = (cause: ExitCause): boolean => cause === 'crashed' || cause === 'oom-killed';

/** Pure: the exit cause of a container whose state is exited, dead or restarting. */
export function exitCauseOf({ record, stopRequestedAt, watchedSince }: HealthFacts): ExitCause {
  // a dead container is one the engine failed to stop or remove: never a clean end
  if (record.state === 'dead' && !record.oomKilled) return 'crashed';
  return exitCause({ ...record, stopRequestedAt, watchedSince });
}

/** What decides a running container's health: the engine's HEALTHCHECK, vigil's probes, or neither. */
export const healthSources = ['healthcheck', 'probe', 'state'] as const;
export type HealthSource = (typeof healthSources)[number];

/**
 * Pure: which check decides a running container's health. The engine's own HEALTHCHECK stays the truth
 * when it has one (its probes are shown beside it); a probe counts when one could be read from its labels.
 */
export function healthSource({ record, probe }: Pick<HealthFacts, 'record' | 'probe'>): HealthSource {
  if (record.health) return 'healthcheck';
  if (probe && (probe.exec || probe.log)) return 'probe';
  return 'state';
}

/** Pure: the health of a running container: its own HEALTHCHECK, else its probes, else healthy. */
export function runningHealth(record: ContainerRecord, probe?: ProbeHealth | null): HealthStatus {
  switch (healthSource({ record, probe })) {
    case 'healthcheck':
      return record.health!.status;
    case 'probe':
      // a verdict of an earlier run counts for nothing: the new run is starting, as a HEALTHCHECK's reads
      return isCurrent(probe!, record.startedAt) ? probe!.status : 'starting';
    case 'state':
      return 'healthy';
  }
}

/**
 * Pure, and the one place that decides a container's health: for the JSON API, the page, the
 * metrics, the incidents and the notifications alike.
 *  - running: its own HEALTHCHECK when it has one, else its label-declared probes, else healthy;
 *  - restarting or dead: unhealthy (the restart policy is bringing back a crash, or the engine lost it);
 *  - exited: unhealthy after a crash or an OOM kill; a person's stop or a finished job has no health;
 *  - created, paused, removing: no health to speak of.
 */
export function containerHealth(facts: HealthFacts): HealthStatus {
  const { record } = facts;
  switch (record.state) {
    case 'running':
      return runningHealth(record, facts.probe);
    case 'restarting':
    case 'dead':
      return 'unhealthy';
    case 'exited':
      return isTrouble(exitCauseOf(facts)) ? 'unhealthy' : 'none';
    default:
      return 'none';
  }
}

/**
 * Pure: the cause a `container.state` event carries, or, for one from before events carried it, the
 * cause its exit code and OOM flag tell on their own.
 */
export function causeOfStateEvent(data: ContainerStateEvent['data']): ExitCause | null {
  if (data.to !== 'exited' && data.to !== 'dead') return null;
  if (data.cause !== undefined && exitCauses.includes(data.cause)) return data.cause;
  const code = Number(data.exitCode);
  return exitCause({
    exitCode: Number.isFinite(code) ? code : null,
    oomKilled: data.oomKilled === true,
    finishedAt: null,
    stopRequestedAt: null,
    watchedSince: null,
  });
}
