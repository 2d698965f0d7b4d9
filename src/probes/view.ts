import { isCurrent, type ProbeHealth, type ProbeStatus } from './state.js';

/** The probes of one container as GET /containers/:id/health gives them, beside `healthCheck` (the engine's). */
export interface ProbeView {
  /** Their verdict on the container's current run; `starting` until they have said anything of it. */
  status: ProbeStatus;
  exec: {
    command: string[];
    status: ProbeStatus;
    failingStreak: number;
    last: { start: string; end: string; exitCode: number | null; output: string } | null;
  } | null;
  log: {
    pattern: string;
    windowSeconds: number;
    lastMatch: { at: string; line: string } | null;
    unhealthyUntil: string | null;
  } | null;
}

/** Pure: the API's view of a container's probes (null when it has none that run). */
export function probeView(probe: ProbeHealth | null | undefined, startedAt: Date | null): ProbeView | null {
  if (!probe || (!probe.exec && !probe.log)) return null;
  const { exec, log } = probe;
  return {
    status: isCurrent(probe, startedAt) ? probe.status : 'starting',
    exec: exec
      ? {
          command: exec.command,
          status: exec.status,
          failingStreak: exec.failingStreak,
          last: exec.last
            ? {
                start: exec.last.start.toISOString(),
                end: exec.last.end.toISOString(),
                exitCode: exec.last.exitCode,
                output: exec.last.output,
              }
            : null,
        }
      : null,
    log: log
      ? {
          pattern: log.pattern,
          windowSeconds: log.windowMs / 1000,
          lastMatch: log.lastMatch ? { at: log.lastMatch.at.toISOString(), line: log.lastMatch.line } : null,
          unhealthyUntil: log.unhealthyUntil?.toISOString() ?? null,
        }
      : null,
  };
}

/** Pure: the labels that could not be used, one line, for the page to show; null when every label was read. */
export function probeError(probe: ProbeHealth | null | undefined): string | null {
  return probe && probe.errors.length > 0 ? probe.errors.join('; ') : null;
}
