// Pure: the words the page shows a person: the live feed's lines, the readiness line, counts with their
// nouns. No DOM, no preact: the unit tests (test/web/texts.test.ts) read it too.

import type { CheckResult } from '../../src/http/routes/probes.js';

export interface FeedEvent {
  id: number;
  type: string;
  time: string;
  container?: { id: string; name: string };
  data: Record<string, unknown>;
}

const exitWords = (d: Record<string, unknown>): string => {
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

interface ChainStep {
  name: string;
  action: string;
  outcome: string;
  reason: string;
}

/** Pure: "1 restart", "2 restarts": a count with its noun. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const texts: Record<string, (e: FeedEvent) => string> = {
  'container.state': (e) => `${String(e.data.from)} → ${String(e.data.to)}${exitWords(e.data)}`,
  'container.health': (e) => `health ${String(e.data.from)} → ${String(e.data.to)}`,
  'recovery.started': (e) => `vigil is trying ${String(e.data.action)}: ${String(e.data.reason)}`,
  'recovery.action': (e) =>
    `vigil ${String(e.data.action)}: ${String(e.data.outcome)} — ${String(e.data.reason)}${typeof e.data.attempt === 'number' ? ` (attempt ${e.data.attempt})` : ''}`,
  'recovery.gave_up': (e) =>
    `vigil gave up${typeof e.data.attempts === 'number' ? ` after ${plural(e.data.attempts, 'attempt')}` : ''}: ${String(e.data.reason)}; it needs a person`,
  'recovery.skipped': (e) => `vigil will not act: ${String(e.data.reason)}`,
  'recovery.report': (e) => `needs a person: ${String(e.data.reason)}`,
  'recovery.boot': (e) =>
    `after ${e.data.trigger === 'engine-restart' ? 'the engine restarted' : 'vigil started'}: started ${(e.data.recovered as string[] | undefined)?.join(', ') || 'nothing'}`,
  'recovery.dependants': (e) => {
    const steps = (e.data.steps as ChainStep[] | undefined) ?? [];
    // the reason of a success is that it depends on what came back: said once, by the line itself
    const said = steps.map((s) =>
      s.action === 'none'
        ? `${s.name} left alone (${s.reason})`
        : `${s.name} ${s.action} ${s.outcome}${s.outcome === 'success' ? '' : ` (${s.reason})`}`,
    );
    return `came back; what depends on it followed: ${said.join(', ') || 'nothing'}`;
  },
  'recovery.cycle': (e) =>
    `depends on itself in a cycle: ${((e.data.cycle as string[] | undefined) ?? []).join(' → ')}`,
  'incident.closed': (e) =>
    `incident closed (${String(e.data.outcome).replace('_', ' ')}) after ${Math.round(Number(e.data.durationSeconds))} s`,
  'resource.spike': (e) =>
    `${String(e.data.resource)} at ${String(e.data.percent)} % of its limit (${String(e.data.level)})`,
  'resource.normal': (e) => `${String(e.data.resource)} back to normal (${String(e.data.percent)} %)`,
  alert: (e) => `alert ${String(e.data.alertname)} ${String(e.data.status)}`,
};

/** Pure: the feed's line for an event (after the container's name); its type when it has no words of its own. */
export function feedText(e: FeedEvent): string {
  return (texts[e.type] ?? ((x: FeedEvent) => x.type))(e);
}

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

/**
 * Pure: the detail view's line under the name: state, image, uptime (while it runs), restarts, the
 * health trend and how fast it recovers — "running · web:1 · up 2h3m · 1 restart · trend stable".
 */
export function detailLine(detail: Record<string, unknown>, history: Record<string, unknown> | null): string {
  const parts = [String(detail.status), String(detail.image)];
  if (detail.status === 'running') parts.push(`up ${String(detail.uptime)}`);
  parts.push(plural(Number(detail.restarts ?? 0), 'restart'));
  parts.push(`trend ${typeof history?.trend === 'string' ? history.trend : '…'}`);
  if (typeof history?.meanTimeToRecoverSeconds === 'number') {
    const incidents = Array.isArray(history.incidents) ? history.incidents.length : 0;
    parts.push(`recovers in ${history.meanTimeToRecoverSeconds} s on average (${plural(incidents, 'incident')})`);
  }
  return parts.join(' · ');
}
