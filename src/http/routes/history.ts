import type { Router } from '@koa/router';
import { containerHealth } from '../../containers/health.js';
import { dailyScores, trend } from '../../recovery/health-score.js';
import { containerKey } from '../../recovery/identity.js';
import type { Incident } from '../../incidents/incident.js';
import type { HistoryStore } from '../../store/history.js';
import { HttpError } from '../errors.js';
import type { ContainersSource } from '../../containers/source.js';
import { findContainer } from './containers.js';

const DAY = 86_400_000;

/** Pure: `days`, 1 to the retention, 7 when absent. */
export function parseDays(value: string | string[] | undefined, max: number): number {
  if (value === undefined) return Math.min(7, max);
  if (typeof value !== 'string' || !/^\d{1,4}$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new HttpError(
      400,
      `days must be a whole number from 1 to ${max} (the history kept), not "${String(value).slice(0, 40)}"`,
    );
  }
  return Number(value);
}

export function historyRoutes(
  router: Router,
  deps: {
    containers: ContainersSource;
    history: HistoryStore;
    retentionDays: number;
    /** Open and recent incidents: this container's, with their time to recover. */
    incidents?: () => { open: Incident[]; recent: Incident[] };
    now?: () => number;
  },
): void {
  router.get('/api/v1/history/:id', (ctx) => {
    const entry = findContainer(ctx.params.id!, deps.containers);
    const days = parseDays(ctx.query.days, deps.retentionDays);
    const now = deps.now?.() ?? Date.now();
    const key = containerKey(entry.record);
    const from = Math.floor(now / DAY) * DAY - (days - 1) * DAY;
    const entries = deps.history.since(key, from);
    const before = deps.history.statusBefore(key, from);
    const points = entries.filter((e) => e.kind === 'status').map((e) => ({ at: e.at, good: e.data.good === true }));
    // the current status holds until now, even if nothing was recorded since
    const current = entry.record.state === 'running' && containerHealth(entry) === 'healthy';
    const scores = dailyScores(
      before ? before.data.good === true : null,
      points.length > 0 ? points : [{ at: from, good: current }],
      days,
      now,
    );
    const at = (ms: number) => new Date(ms).toISOString();
    ctx.body = {
      id: entry.record.shortId,
      name: entry.record.name,
      key,
      days,
      transitions: entries
        .filter((e) => e.kind === 'status')
        .map((e) => ({ at: at(e.at), state: e.data.state, health: e.data.health })),
      intents: entries.filter((e) => e.kind === 'intent').map((e) => ({ at: at(e.at), ...e.data })),
      actions: entries.filter((e) => e.kind === 'action').map((e) => ({ at: at(e.at), ...e.data })),
      dailyHealthScore: scores,
      trend: trend(scores),
      ...timeToRecover(entry.record.name, deps.incidents?.()),
    };
  });
}

/** Pure: a container's incidents, each with its time to recover (null while open), and their mean. */
export function timeToRecover(name: string, incidents: { open: Incident[]; recent: Incident[] } | undefined) {
  const mine = [...(incidents?.open ?? []), ...(incidents?.recent ?? [])].filter((i) => i.container.name === name);
  const list = mine.map((i) => ({
    id: i.id,
    openedAt: i.openedAt,
    outcome: i.outcome,
    timeToRecoverSeconds:
      i.closedAt === null ? null : Math.round((Date.parse(i.closedAt) - Date.parse(i.openedAt)) / 1000),
  }));
  const closed = list.flatMap((i) =>
    i.outcome === 'recovered' && i.timeToRecoverSeconds !== null ? [i.timeToRecoverSeconds] : [],
  );
  return {
    incidents: list,
    meanTimeToRecoverSeconds: closed.length ? Math.round(closed.reduce((a, b) => a + b, 0) / closed.length) : null,
  };
}
