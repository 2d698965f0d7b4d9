// Pure: what the detail view's health panel says of vigil's own probes (vigil.probe.* labels) and of
// where the health it shows comes from. No DOM: test/web/probe-text.test.ts reads it too.

import type { ContainerDetail, HealthSource } from '../../src/http/api-types.js';

export type ProbeView = NonNullable<ContainerDetail['probe']>;

const sourceWords: Record<HealthSource, string> = {
  healthcheck: 'its HEALTHCHECK',
  probe: "vigil's probes (vigil.probe.* labels)",
  state: 'its state',
};

/** Pure: "health from its HEALTHCHECK", said once above the checks. */
export function healthSourceText(source: HealthSource): string {
  return `health from ${sourceWords[source]}`;
}

const clock = (iso: string): string => iso.slice(11, 19);

/**
 * Pure: one line per probe: the exec probe's command, verdict, streak and last answer; the log probe's
 * pattern, window, last match and how long it holds the container unhealthy.
 */
export function probeLines(probe: ProbeView, now = Date.now()): string[] {
  const lines: string[] = [];
  const { exec, log } = probe;
  if (exec) {
    const streak = exec.failingStreak > 0 ? `, failing ${exec.failingStreak} in a row` : '';
    const last = exec.last
      ? `; last at ${clock(exec.last.end)}: ${exec.last.exitCode === null ? 'no exit code' : `exit code ${exec.last.exitCode}`}${exec.last.output.trim() ? ` ${exec.last.output.trim()}` : ''}`
      : '; not run yet';
    lines.push(`exec \`${exec.command.join(' ')}\`: ${exec.status}${streak}${last}`);
  }
  if (log) {
    const match = log.lastMatch ? `last match at ${clock(log.lastMatch.at)}: ${log.lastMatch.line}` : 'no match yet';
    const holds =
      log.unhealthyUntil !== null && Date.parse(log.unhealthyUntil) > now
        ? `; unhealthy until ${clock(log.unhealthyUntil)}`
        : '';
    lines.push(`log /${log.pattern}/ within ${log.windowSeconds} s: ${match}${holds}`);
  }
  return lines;
}
