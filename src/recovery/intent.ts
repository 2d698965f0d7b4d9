import type { ContainerEvent } from '../docker/types.js';
import type { Desired } from '../store/desired-state.js';

/** What vigil remembers between events of one container to tell a user's stop from a crash. */
export interface IntentMemory {
  /** When the last kill (docker stop / docker kill / the engine) was seen, in ms. */
  lastKillAt?: number;
  lastKillSignal?: number;
}

export interface IntentChange {
  desired: Desired;
  reason: string;
  /** A stop by a kill: to be taken back if the engine turns out to have been shutting down. */
  byKill: boolean;
}

/** How long after a kill a die still counts as that kill's doing (docker stop waits up to 10 s by default). */
export const KILL_TO_DIE_WINDOW_MS = 60_000;

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
    case 'kill':
      return { change: null, memory: { lastKillAt: at, lastKillSignal: event.signal } };
    case 'die': {
      if (memory.lastKillAt !== undefined && at - memory.lastKillAt <= KILL_TO_DIE_WINDOW_MS) {
        const signal = memory.lastKillSignal !== undefined ? ` (signal ${memory.lastKillSignal})` : '';
        return { change: { desired: 'stopped', reason: `stopped on request${signal}`, byKill: true }, memory: {} };
      }
      if (event.exitCode === 0) {
        return restartPolicy === 'always'
          ? { change: { desired: 'running', reason: 'exited 0 with restart policy always', byKill: false }, memory: {} }
          : { change: { desired: 'stopped', reason: 'finished (exit code 0)', byKill: false }, memory: {} };
      }
      return { change: { desired: 'running', reason: `crashed (exit code ${event.exitCode ?? 'unknown'})`, byKill: false }, memory: {} };
    }
    default:
      return { change: null, memory };
  }
}
