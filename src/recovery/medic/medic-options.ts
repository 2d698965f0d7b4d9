import type { Config } from '../../config.js';
import type { HistoryStore } from '../../store/history.js';
import type { RecoveryStateStore } from '../../store/recovery-state.js';
import type { PolicyScope } from '../decisions/policy.js';
import type { SchedulePolicy } from '../decisions/schedule.js';

export interface MedicOptions {
  schedule: SchedulePolicy;
  autoheal: PolicyScope;
  reconcileOnBoot: PolicyScope;
  /** Recovery actions in flight at once, engine-wide. */
  concurrency: number;
  /** After the engine (or vigil) starts, how long the engine's own restart policies get before vigil acts. */
  bootGraceMs: number;
  /** Stops seen this long before the engine went away are the engine's own shutdown. */
  engineShutdownWindowMs: number;
  /** A problem vigil cannot fix is reported again when it comes back after this long without it. */
  reportQuietMs: number;
  /** vigil's own container, which it never touches. */
  selfId: string | null;
}

export interface MedicStores {
  recovery: RecoveryStateStore;
  history: HistoryStore;
}

/** The medic's settings from the configuration's seconds and minutes. */
export function medicOptions(config: Config, selfId: string | null): MedicOptions {
  return {
    schedule: {
      baseMs: config.backoffBaseMs,
      maxMs: config.backoffMaxMs,
      resetAfterMs: config.backoffResetMs,
      maxAttempts: config.recoveryMaxAttempts,
    },
    autoheal: config.autoheal,
    reconcileOnBoot: config.reconcileOnBoot,
    concurrency: config.recoveryConcurrency,
    bootGraceMs: config.bootGraceMs,
    engineShutdownWindowMs: config.engineShutdownWindowMs,
    reportQuietMs: config.reportQuietMs,
    selfId,
  };
}
