// Pure: a container's history (GET /api/v1/history/:id) as the detail view reads it: the daily scores,
// and what happened to it in one list with who asked. The route builds its intents and actions from
// stored records of no fixed shape, so each is read field by field instead of trusted.

import type { DailyScore } from '../../src/history/health-score.js';
import type { HistoryGist } from './texts.js';

export interface HistoryLine {
  at: string;
  text: string;
}

export interface ContainerHistory extends HistoryGist {
  dailyHealthScore: DailyScore[];
  trend: string;
  intents: Record<string, unknown>[];
  actions: Record<string, unknown>[];
}

const records = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : [];
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Pure: the parts of a history answer the page shows, or empty ones where it has none. */
export function readHistory(body: unknown): ContainerHistory {
  const o = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const scores = records(o.dailyHealthScore).flatMap((s) =>
    typeof s.date === 'string' && (typeof s.score === 'number' || s.score === null)
      ? [{ date: s.date, score: s.score }]
      : [],
  );
  return {
    dailyHealthScore: scores,
    trend: text(o.trend) ?? '…',
    intents: records(o.intents),
    actions: records(o.actions),
    ...(typeof o.meanTimeToRecoverSeconds === 'number' ? { meanTimeToRecoverSeconds: o.meanTimeToRecoverSeconds } : {}),
    ...(Array.isArray(o.incidents) ? { incidents: o.incidents } : {}),
  };
}

/**
 * Pure: newest first, what a person asked for ("stop asked by page") and what vigil did ("restart
 * succeeded — crashed (exit code 1) · medic").
 */
export function historyLines(h: ContainerHistory): HistoryLine[] {
  const lines: HistoryLine[] = [];
  for (const i of h.intents) {
    const at = text(i.at);
    if (!at) continue;
    const desired = text(i.desired) ?? 'a change';
    const by = text(i.by);
    const reason = text(i.reason);
    const wanted = desired === 'stopped' ? 'to be stopped' : desired === 'running' ? 'to run' : desired;
    // an intent vigil learnt (from a start or an exit it saw) has a reason and no one who asked:
    // "meant to run: running when vigil first saw it"
    lines.push({ at, text: by ? `${wanted}: asked by ${by}` : `meant ${wanted}${reason ? `: ${reason}` : ''}` });
  }
  for (const a of h.actions) {
    const at = text(a.at);
    if (!at) continue;
    const parts = [text(a.action) ?? 'action', text(a.outcome)].filter(Boolean).join(' ');
    const reason = text(a.reason);
    const by = text(a.by) ?? text(a.requestedBy) ?? 'medic';
    const said = reason && !reason.startsWith('asked by') ? ` — ${reason}` : '';
    lines.push({ at, text: `${parts}${said} · asked by ${by}` });
  }
  return lines.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}
