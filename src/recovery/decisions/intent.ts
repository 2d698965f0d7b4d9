import type { ContainerEvent, ContainerRecord } from '../../docker/types.js';
import type { NewConnectionVerdict } from '../../docker/unreachable.js';
import type { Desired } from '../../store/desired-state.js';

/** What vigil remembers between events of one container to tell a user's stop from a crash. */
export interface IntentMemory {
  /** When the stop began: the first kill of a stop (docker stop sends SIGTERM, then SIGKILL), in ms. */
  firstKillAt?: number;
  lastKillSignal?: number;
}

export interface IntentChange {
  desired: Desired;
  reason: string;
  /** A stop by a kill: to be taken back if the engine turns out to have been shutting down. */
  byKill: boolean;
  /** For a stop by kill: when its first kill came. */
  killAt?: number;
}

/** How long after a kill a die still counts as that kill's doing (docker stop waits up to 10 s by default). */
export const KILL_TO_DIE_WINDOW_MS = 60_000;

/**
 * Pure: whether a desired state is a person's stop: by `docker stop` or kill (`stopped on request`)
 * or through vigil's API or page (`stopped by a person…`), not a job that finished. Told by the
 * reason because the two are written only here and in the intent tracker, each starting so.
 */
export function isPersonStop(state: { desired: Desired; reason: string }): boolean {
  return state.desired === 'stopped' && /^stopped (on request|by a person)/.test(state.reason);
}

/**
 * Pure: the desired state an event implies, if any.
 *  - start: should run.
 *  - die after a kill: the user (or the API) stopped it; it should stay stopped.
 *  - die with exit code 0 and no kill: a job that finished; it stays stopped unless its restart policy is `always`.
 *  - die otherwise: a crash; it should still run.
 */
export function intentFromEvent(
  event: ContainerEvent,
  memory: IntentMemory,
  restartPolicy: string,
): { change: IntentChange | null; memory: IntentMemory } {
  const at = Number(event.timeNano / 1_000_000n);
  switch (event.action) {
    case 'start':
      return { change: { desired: 'running', reason: 'started', byKill: false }, memory: {} };
    case 'kill': {
      // a SIGKILL after the stop timeout belongs to the same stop
      const ongoing = memory.firstKillAt !== undefined && at - memory.firstKillAt <= KILL_TO_DIE_WINDOW_MS;
      return {
        change: null,
        memory: {
          firstKillAt: ongoing ? memory.firstKillAt : at,
          lastKillSignal: ongoing ? memory.lastKillSignal : event.signal,
        },
      };
    }
    case 'die': {
      if (memory.firstKillAt !== undefined && at - memory.firstKillAt <= KILL_TO_DIE_WINDOW_MS) {
        const signal = memory.lastKillSignal !== undefined ? ` (signal ${memory.lastKillSignal})` : '';
        return {
          change: {
            desired: 'stopped',
            reason: `stopped on request${signal}`,
            byKill: true,
            killAt: memory.firstKillAt,
          },
          memory: {},
        };
      }
      if (event.exitCode === 0) {
        return restartPolicy === 'always'
          ? { change: { desired: 'running', reason: 'exited 0 with restart policy always', byKill: false }, memory: {} }
          : { change: { desired: 'stopped', reason: 'finished (exit code 0)', byKill: false }, memory: {} };
      }
      return {
        change: { desired: 'running', reason: `crashed (exit code ${event.exitCode ?? 'unknown'})`, byKill: false },
        memory: {},
      };
    }
    default:
      return { change: null, memory };
  }
}

export interface KillStop {
  /** The container's id. */
  id?: string;
  key: string;
  killAt: number;
  dieAt: number;
}

/** Pure: whether what a new connection met after a kill says the engine was closing (ShutdownWitness). */
export function engineWasClosing(verdict: NewConnectionVerdict | undefined): boolean {
  return verdict === 'refused' || verdict === 'unanswered';
}

/**
 * Pure: which stops by kill were the engine's own shutdown, given what the engine said to a new
 * connection just after each kill: it was closing. Neither how soon the stream ended after the last
 * die (dockerd's shutdown goes on after its containers are stopped, for seconds when containerd is
 * slow) nor whether every container was stopped tells a person's "stop everything" just before the
 * engine went from the engine's own stops; an engine that said nothing leaves a stop a person's.
 */
export function engineShutdownStops<S extends KillStop>(
  stops: readonly S[],
  engineAfterKill: readonly NewConnectionVerdict[],
): S[] {
  return stops.filter((_, i) => engineWasClosing(engineAfterKill[i]));
}

/** Exit codes of a process ended by SIGTERM or SIGKILL (128 + signal): what `docker stop` leaves. */
const killedExitCodes = new Set([137, 143]);

/**
 * Pure: the desired state a container's last exit implies when no event tells (it stopped while vigil
 * was away and the engine no longer holds its events). Only a container labelled vigil.autoheal=true
 * that exited non-zero without a sign of a kill (SIGTERM's or SIGKILL's exit code, unless the kernel's
 * OOM killer sent it) counts as crashed; for any other vigil cannot know and leaves it.
 */
export function intentFromExit(
  record: Pick<ContainerRecord, 'labels' | 'state' | 'exitCode' | 'oomKilled'>,
): IntentChange | null {
  if (record.labels['vigil.autoheal'] !== 'true') return null;
  if (record.state !== 'exited' && record.state !== 'dead') return null;
  const code = record.exitCode;
  if (code === null || code === 0) return null;
  if (killedExitCodes.has(code) && !record.oomKilled) return null;
  const why = record.oomKilled ? 'killed for memory (OOM)' : `exit code ${code}`;
  return {
    desired: 'running',
    reason: `crashed while vigil was away (${why}); labelled vigil.autoheal=true`,
    byKill: false,
  };
}
