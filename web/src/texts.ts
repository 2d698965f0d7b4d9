// Pure: the words the page shows a person: the live feed's lines, the readiness line, counts with their
// nouns. No DOM, no preact: the unit tests (test/web/texts.test.ts) read it too.

import type { CheckResult, ContainerSummary, CpuReading, MemoryReading, VigilEvent } from '../../src/http/api-types.js';
import type { ContainerStateEvent } from '../../src/streams/events.js';
import type { ChainStep } from '../../src/recovery/dependants/dependant-step.js';

/** An event as the live feed shows it: the API's own shape. */
export type FeedEvent = VigilEvent;

const exitWords = (d: ContainerStateEvent['data']): string => {
  const code = typeof d.exitCode === 'number' ? d.exitCode : null;
  switch (d.cause) {
    case 'stopped':
      return `: stopped on request${code !== null ? ` (exit code ${code})` : ''}; vigil leaves it stopped`;
    case 'finished':
      return ': finished (exit code 0)';
    case 'oom-killed':
      return ': OOM-killed';
    case 'crashed':
      return `: crashed (exit code ${code ?? 'unknown'})`;
    default:
      return code !== null ? ` (exit code ${code})` : '';
  }
};

/** Pure: "1 restart", "2 restarts": a count with its noun. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const chainText = (steps: readonly ChainStep[]): string =>
  steps
    // the reason of a success is that it depends on what came back: said once, by the line itself
    .map((s) =>
      s.action === 'none'
        ? `${s.name} left alone (${s.reason})`
        : `${s.name} ${s.action} ${s.outcome}${s.outcome === 'success' ? '' : ` (${s.reason})`}`,
    )
    .join(', ');

/** Pure: the feed's line for an event (after the container's name); its type when it has no words of its own. */
export function feedText(e: FeedEvent): string {
  switch (e.type) {
    case 'container.state':
      // a container vigil meets for the first time has no state before: it is said to appear
      if (e.data.from === null) return e.data.to === 'removed' ? 'removed' : `appeared: ${e.data.to}`;
      return `${e.data.from} → ${e.data.to}${exitWords(e.data)}`;
    case 'container.health':
      return e.data.from === null ? `health ${e.data.to ?? 'none'}` : `health ${e.data.from} → ${e.data.to ?? 'none'}`;
    case 'recovery.started':
      return `vigil is trying ${e.data.action}: ${e.data.reason}`;
    case 'recovery.action': {
      // a person's stop, start or restart through the API or page: theirs, never told as vigil's doing
      if (e.data.by !== undefined) {
        const through = e.data.by === 'page' ? 'the page' : 'the API';
        return e.data.outcome === 'success'
          ? `${e.data.action} by a person through ${through}`
          : `${e.data.action} asked by a person through ${through} failed${e.data.error ? `: ${e.data.error}` : ''}`;
      }
      const attempt = e.data.attempt === undefined ? '' : ` (attempt ${e.data.attempt})`;
      return `vigil ${e.data.action}: ${e.data.outcome} — ${e.data.reason}${attempt}`;
    }
    case 'recovery.gave_up':
      return `vigil gave up after ${plural(e.data.attempts, 'attempt')}: ${e.data.reason}; it needs a person`;
    case 'recovery.skipped':
      return `vigil will not act: ${e.data.reason}`;
    case 'recovery.report':
      return `needs a person: ${e.data.reason}`;
    case 'recovery.boot':
      return `after ${e.data.trigger === 'engine-restart' ? 'the engine restarted' : 'vigil started'}: started ${e.data.recovered.join(', ') || 'nothing'}`;
    case 'recovery.dependants':
      return `came back; what depends on it followed: ${chainText(e.data.steps) || 'nothing'}`;
    case 'recovery.cycle':
      return `depends on itself in a cycle: ${e.data.cycle.join(' → ')}`;
    case 'incident.closed':
      return `incident closed (${e.data.outcome.replace('_', ' ')}) after ${Math.round(e.data.durationSeconds)} s`;
    case 'resource.spike':
      return `${e.data.resource} at ${e.data.percent} % of its limit (${e.data.level})`;
    case 'resource.normal':
      return `${e.data.resource} back to normal (${e.data.percent} %)`;
    case 'alert':
      return `alert ${e.data.alertname} ${e.data.status}`;
    default:
      return untold(e);
  }
}

/** A type this page has no words for (a newer server's): the feed says its type. */
const untold = (e: { type: string }): string => e.type;

/** Pure: the readiness checks in one line: "engine ok · store ok", or what is wrong, in its own words. */
export function readinessText(checks: Record<string, CheckResult>): string {
  return Object.entries(checks)
    .map(([name, check]) => (check.status === 'ok' ? `${name} ok` : (check.reason ?? `${name} ${check.status}`)))
    .join(' · ');
}

/** Pure: a daily health score (the share of the day running and healthy, 0 to 1) as a person reads it. */
export function scoreText(score: number | null): string {
  return score === null ? '–' : `${Math.round(score * 100)} %`;
}

/** What the detail line reads of a container's history (GET /api/v1/history/:id). */
export interface HistoryGist {
  trend?: string;
  meanTimeToRecoverSeconds?: number;
  incidents?: unknown[];
}

/**
 * Pure: the detail view's line under the name: state, image, restarts, the health trend and how fast it
 * recovers — "up 2h3m · web:1 · 1 restart · trend stable", "exited 3 min ago (exit 1) · web:1 · …".
 */
export function detailLine(
  c: Pick<ContainerSummary, 'status' | 'image' | 'uptime' | 'restarts' | 'state'>,
  history: HistoryGist | null,
  now = Date.now(),
): string {
  const parts = [
    c.status === 'running' ? `${c.status} · ${c.image} · ${stateText(c, now)}` : `${stateText(c, now)} · ${c.image}`,
  ];
  parts.push(plural(c.restarts, 'restart'));
  parts.push(`trend ${history?.trend ?? '…'}`);
  if (typeof history?.meanTimeToRecoverSeconds === 'number') {
    const incidents = history.incidents?.length ?? 0;
    parts.push(`recovers in ${history.meanTimeToRecoverSeconds} s on average (${plural(incidents, 'incident')})`);
  }
  return parts.join(' · ');
}

/** Pure: how long ago, in the largest whole unit: "40 s", "3 min", "2 h", "5 d". */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

/**
 * Pure: a container's state as a person reads it: "up 2h3m" while it runs, "exited 3 min ago (exit 1)"
 * once it stopped, "created" before it ever ran.
 */
export function stateText(c: Pick<ContainerSummary, 'status' | 'uptime' | 'state'>, now: number): string {
  if (c.status === 'running') return `up ${c.uptime}`;
  const { exitedAt, exitCode } = c.state;
  if (exitedAt === null) return c.status;
  const code = exitCode === null ? '' : ` (exit ${exitCode})`;
  return `${c.status} ${ago(now - Date.parse(exitedAt))} ago${code}`;
}

const MiB = 1024 * 1024;

/** Pure: "120 MiB of 512 MiB", or "120 MiB · no limit" for a container bounded only by the host. */
export function memoryText(m: MemoryReading): string {
  const mib = m.usageBytes / MiB;
  // a small working set in tenths, so that half a MiB does not read "0 MiB"
  const used = `${mib < 10 ? String(Number(mib.toFixed(1))) : mib.toFixed(0)} MiB`;
  return m.limitBytes === null ? `${used} · no limit` : `${used} of ${(m.limitBytes / MiB).toFixed(0)} MiB`;
}

/** Pure: the share of memory to draw: of the limit, or of the host's memory when there is none. */
export function memoryShare(m: MemoryReading): number {
  const of = m.limitBytes ?? m.hostBytes;
  return of > 0 ? Math.min(100, (m.usageBytes / of) * 100) : 0;
}

/** Pure: "12 % of a core", with the limit when it has one: "12 % of a core · limit 0.5 cores". */
export function cpuText(c: CpuReading): string {
  const used = `${Math.round(c.cores * 1000) / 10} % of a core`;
  return c.limitCores === null ? used : `${used} · limit ${plural(c.limitCores, 'core')}`;
}
