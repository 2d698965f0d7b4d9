import type { Desired } from '../../store/desired-state.js';
import type { BootTrigger } from './boot-plan.js';

/** What the reconcile after a restart found and did, per container: before vigil's own starts. */
export interface BootReportInput {
  name: string;
  state: string;
  desired: Desired | undefined;
}

/** The counts of the recovery notice (and of the `recovery.boot` event's `summary`). */
export interface BootSummary {
  /** Containers that should run: meant to run, or running without vigil knowing otherwise. */
  shouldRun: number;
  /** Of those, running once vigil was done. */
  running: number;
  /** Running by their restart policy (or never stopped), before vigil started anything. */
  byRestartPolicy: number;
  startedByVigil: number;
  /** Stopped by a person, and left so. */
  leftStopped: number;
  /** Should run and do not: each with why. */
  notBack: { name: string; reason: string }[];
}

/** Pure: the notice's counts from the containers as the reconcile saw them and what it did. */
export function bootSummary(
  containers: readonly BootReportInput[],
  started: readonly string[],
  failed: readonly { name: string; reason: string }[],
  skipped: readonly { name: string; reason: string }[],
): BootSummary {
  const startedSet = new Set(started);
  const why = new Map([...skipped, ...failed].map((f) => [f.name, f.reason]));
  const shouldRun = containers.filter(
    (c) => c.desired === 'running' || (c.desired === undefined && c.state === 'running'),
  );
  const byRestartPolicy = shouldRun.filter((c) => c.state === 'running' && !startedSet.has(c.name)).length;
  const startedByVigil = shouldRun.filter((c) => startedSet.has(c.name)).length;
  const notBack = shouldRun
    .filter((c) => c.state !== 'running' && !startedSet.has(c.name))
    .map((c) => ({
      name: c.name,
      reason: why.get(c.name) ?? 'went down after the engine was back; the medic handles it as any crash',
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const leftStopped = containers.filter((c) => c.desired === 'stopped' && c.state !== 'running').length;
  return {
    shouldRun: shouldRun.length,
    running: byRestartPolicy + startedByVigil,
    byRestartPolicy,
    startedByVigil,
    leftStopped,
    notBack,
  };
}

/** Pure: what came back, in one sentence: "engine back at T: 30 of 30 should-run containers running, …". */
export function bootSentence(what: 'engine' | 'host' | 'vigil', at: string, s: BootSummary): string {
  const head = what === 'vigil' ? `vigil started at ${at}` : `${what} back at ${at}`;
  const policy = what === 'vigil' ? 'already running' : 'by their restart policy';
  const stopped =
    s.leftStopped > 0 ? `; ${s.leftStopped} left stopped as people asked` : '; none left stopped by a person';
  return (
    `${head}: ${s.running} of ${s.shouldRun} should-run containers running, ` +
    `${s.byRestartPolicy} ${policy}, ${s.startedByVigil} started by vigil${stopped}` +
    (s.notBack.length > 0 ? `; ${s.notBack.length} not back` : '')
  );
}

/**
 * Pure: whether the notice is worth sending: after every engine or host restart, even when vigil started
 * nothing; after a plain restart of vigil only when it started something or failed to.
 */
export function bootNoticeWanted(trigger: BootTrigger, hostBooted: boolean, started: number, failed: number): boolean {
  return trigger === 'engine-restart' || hostBooted || started + failed > 0;
}

/** A host that booted this shortly before the engine was back in sync restarted: vigil started with it. */
export const HOST_BOOT_WINDOW_MS = 15 * 60_000;
