import type { ExecProbeSpec, LogProbeSpec } from './labels.js';

/**
 * Pure: what a container's probes have found, as the inventory keeps it beside the engine's record,
 * and how each result moves it. The rules are Docker's HEALTHCHECK's: starting until the first success
 * or `retries` failures in a row; a failure within the start period does not count.
 */

export type ProbeStatus = 'starting' | 'healthy' | 'unhealthy';

/** One run of the exec probe. */
export interface ExecRun {
  start: Date;
  end: Date;
  /** The command's exit code; null when it did not end within the timeout or could not be run. */
  exitCode: number | null;
  /** The first bytes of its output, or what went wrong ("timed out after 5 s"). */
  output: string;
}

export interface ExecProbeState {
  command: string[];
  status: ProbeStatus;
  failingStreak: number;
  last: ExecRun | null;
}

export interface LogProbeState {
  pattern: string;
  windowMs: number;
  /** The latest line that matched, and when the engine stamped it. */
  lastMatch: { at: Date; line: string } | null;
  /** Unhealthy until then (the latest match's time plus the window); null when no match is in force. */
  unhealthyUntil: Date | null;
}

/** A container's probes, kept on its inventory entry (HealthFacts.probe) and read by containerHealth(). */
export interface ProbeHealth {
  /**
   * The run of the container this is about (its StartedAt in ms): after a restart an earlier run's
   * verdict is void, so a restarted container is never restarted again for what its last run did.
   */
  runStartedAt: number | null;
  status: ProbeStatus;
  exec: ExecProbeState | null;
  log: LogProbeState | null;
  /** The labels that could not be used, `label: message` each; the probe they belong to does not run. */
  errors: string[];
}

/** The longest output kept of one run, as Docker keeps 4 KiB of a HEALTHCHECK's. */
export const OUTPUT_LIMIT = 4096;

/** Pure: the probes' state for a new run of the container, before any result. */
export function freshProbeHealth(
  exec: ExecProbeSpec | null,
  log: LogProbeSpec | null,
  errors: string[],
  runStartedAt: number | null,
): ProbeHealth {
  const execState: ExecProbeState | null = exec
    ? { command: exec.command, status: 'starting', failingStreak: 0, last: null }
    : null;
  const logState: LogProbeState | null = log
    ? { pattern: log.pattern, windowMs: log.windowMs, lastMatch: null, unhealthyUntil: null }
    : null;
  return withStatus({ runStartedAt, status: 'starting', exec: execState, log: logState, errors }, runStartedAt ?? 0);
}

/** Pure: the exec probe after one run. */
export function afterExecRun(
  state: ExecProbeState,
  run: ExecRun,
  spec: Pick<ExecProbeSpec, 'retries' | 'startPeriodMs'>,
  runStartedAt: number | null,
): ExecProbeState {
  const last = { ...run, output: run.output.slice(0, OUTPUT_LIMIT) };
  if (run.exitCode === 0) return { ...state, status: 'healthy', failingStreak: 0, last };
  const inStartPeriod = runStartedAt !== null && run.start.getTime() - runStartedAt < spec.startPeriodMs;
  if (inStartPeriod) return { ...state, last };
  const failingStreak = state.failingStreak + 1;
  const status = failingStreak >= spec.retries ? 'unhealthy' : state.status;
  return { ...state, status, failingStreak, last };
}

/** Pure: the log probe after a matching line stamped `at`. */
export function afterLogMatch(state: LogProbeState, line: string, at: Date): LogProbeState {
  const until = new Date(at.getTime() + state.windowMs);
  const unhealthyUntil = state.unhealthyUntil && state.unhealthyUntil > until ? state.unhealthyUntil : until;
  return { ...state, lastMatch: { at, line: line.slice(0, OUTPUT_LIMIT) }, unhealthyUntil };
}

/** Pure: the log probe at `now`: a match whose window has passed no longer counts. */
export function logStatusAt(state: LogProbeState, now: number): ProbeStatus {
  return state.unhealthyUntil !== null && state.unhealthyUntil.getTime() > now ? 'unhealthy' : 'healthy';
}

/** Pure: the probes' combined status at `now`: unhealthy when either says so; starting until exec has said. */
export function withStatus(health: ProbeHealth, now: number): ProbeHealth {
  const log =
    health.log && logStatusAt(health.log, now) === 'healthy' && health.log.unhealthyUntil !== null
      ? { ...health.log, unhealthyUntil: null }
      : health.log;
  const statuses: ProbeStatus[] = [];
  if (health.exec) statuses.push(health.exec.status);
  if (log) statuses.push(logStatusAt(log, now));
  const status: ProbeStatus = statuses.includes('unhealthy')
    ? 'unhealthy'
    : statuses.includes('starting')
      ? 'starting'
      : 'healthy';
  return { ...health, log, status };
}

/** Pure: whether a probe verdict speaks of the container's current run. */
export function isCurrent(probe: ProbeHealth, startedAt: Date | null): boolean {
  return probe.runStartedAt === (startedAt?.getTime() ?? null);
}

/**
 * Pure: why the probes call the container unhealthy, for the medic's reason and the history: which probe,
 * what it ran or matched, and what it last said.
 */
export function probeFailureReason(probe: ProbeHealth, now: number): string | null {
  const parts: string[] = [];
  const exec = probe.exec;
  if (exec?.status === 'unhealthy') {
    const last = exec.last?.output.trim();
    const said = last ? ` (last: ${last.slice(0, 200)})` : '';
    parts.push(
      `probe vigil.probe.exec ${JSON.stringify(exec.command.join(' '))} failed ${exec.failingStreak} times${said}`,
    );
  }
  const log = probe.log;
  if (log && logStatusAt(log, now) === 'unhealthy' && log.lastMatch) {
    const line = log.lastMatch.line.trim().slice(0, 200);
    parts.push(`probe vigil.probe.log /${log.pattern}/ matched ${JSON.stringify(line)}`);
  }
  return parts.length > 0 ? parts.join('; ') : null;
}

/**
 * Pure: whether a new verdict changes what the metrics and the medic read (status, failing streak, bad
 * labels). Most runs only renew the last run's times: re-rendering /metrics or evaluating the container
 * for each of them cost a scrape at 200 probed containers more than half a second on a loaded host.
 */
export function verdictChanged(before: ProbeHealth | null | undefined, after: ProbeHealth | null | undefined): boolean {
  if (!before || !after) return before !== after;
  return (
    before.status !== after.status ||
    before.runStartedAt !== after.runStartedAt ||
    before.exec?.status !== after.exec?.status ||
    before.exec?.failingStreak !== after.exec?.failingStreak ||
    before.errors.length !== after.errors.length
  );
}
