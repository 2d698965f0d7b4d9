import type { Router } from '@koa/router';
import { containerHealth } from '../../containers/health.js';
import { dailyScores, trend } from '../../history/health-score.js';
import { containerKey } from '../../recovery/identity.js';
import type { Incident } from '../../incidents/incident.js';
import type { HistoryStore } from '../../store/history.js';
import { HttpError } from '../errors.js';
import type { ContainersSource } from '../../containers/source.js';
import { findContainer } from './containers.js';
import { lookUpContainer } from '../../containers/source.js';
import { statusSamples, trendOfPoints } from '../../history/health-trends.js';
import {
  channelPoints,
  containerPoints,
  dayStarts,
  systemPoints,
  type ChannelDayMetrics,
  type ContainerDayMetrics,
  type History,
  type SystemDayMetrics,
} from '../../history/points.js';
import type { HistoryDaysStore } from '../../store/history-days.js';
import type { RemovedContainer, RemovedContainerStore } from '../../store/removed-containers.js';

const DAY = 86_400_000;

/** The days a history answer covers at most, and when `days` is absent. */
export const HISTORY_MAX_DAYS = 90;
export const HISTORY_DEFAULT_DAYS = 30;

/** Pure: `days`, a whole number from 1 to 90, 30 when absent; anything else is a 400 that says so. */
export function parseDays(value: string | string[] | undefined, max = HISTORY_MAX_DAYS): number {
  if (value === undefined) return Math.min(HISTORY_DEFAULT_DAYS, max);
  if (typeof value !== 'string' || !/^\d{1,4}$/.test(value) || Number(value) < 1 || Number(value) > max) {
    const given = Array.isArray(value) ? `${value.length} values` : `"${String(value).slice(0, 40)}"`;
    throw new HttpError(400, `days must be a whole number from 1 to ${max}, not ${given}`, { parameter: 'days' });
  }
  return Number(value);
}

export function historyRoutes(
  router: Router,
  deps: {
    containers: ContainersSource;
    history: HistoryStore;
    /** The outbox, alerts and timelines behind the channel and system histories. */
    days?: HistoryDaysStore;
    /** Containers vigil removed after giving up on them: their history stays reachable by name. */
    removed?: RemovedContainerStore;
    /** The configured channels' names: an unknown one is a 404. */
    channels?: () => string[];
    retentionDays: number;
    /** Open and recent incidents: this container's, with their time to recover. */
    incidents?: () => { open: Incident[]; recent: Incident[] };
    now?: () => number;
  },
): void {
  // before /:id, which would take "system" and "channel" for container names
  router.get('/api/v1/history/system', (ctx) => {
    const days = parseDays(ctx.query.days);
    const now = deps.now?.() ?? Date.now();
    const from = dayStarts(days, now)[0]!;
    const store = deps.days;
    const body: History<SystemDayMetrics> = {
      type: 'system',
      entity: deps.containers.context().host,
      days,
      points: systemPoints(
        store?.containerTimelines(from) ?? [],
        store?.alertStarts(from) ?? [],
        store?.recoveries(from) ?? [],
        days,
        now,
      ),
    };
    ctx.body = body;
  });
  router.get('/api/v1/history/channel/:name', (ctx) => {
    const name = ctx.params.name!;
    const known = deps.channels?.() ?? [];
    if (!known.includes(name)) throw new HttpError(404, `no channel named "${name.slice(0, 64)}"`, { channels: known });
    const days = parseDays(ctx.query.days);
    const now = deps.now?.() ?? Date.now();
    const body: History<ChannelDayMetrics> = {
      type: 'channel',
      entity: name,
      days,
      points: channelPoints(deps.days?.deliveries(name, dayStarts(days, now)[0]!) ?? [], days, now),
    };
    ctx.body = body;
  });
  router.get('/api/v1/history/:id', (ctx) => {
    const removed = removedNamed(ctx.params.id!, deps);
    if (removed) {
      ctx.body = removedHistory(removed, deps, parseDays(ctx.query.days), deps.now?.() ?? Date.now());
      return;
    }
    const entry = findContainer(ctx.params.id!, deps.containers);
    const days = parseDays(ctx.query.days);
    const now = deps.now?.() ?? Date.now();
    const key = containerKey(entry.record);
    const from = Math.floor(now / DAY) * DAY - (days - 1) * DAY;
    const entries = deps.history.since(key, from);
    const before = deps.history.statusBefore(key, from);
    const goodness = entries.filter((e) => e.kind === 'status').map((e) => ({ at: e.at, good: e.data.good === true }));
    // the current status holds until now, even if nothing was recorded since
    const current = entry.record.state === 'running' && containerHealth(entry) === 'healthy';
    const scores = dailyScores(
      before ? before.data.good === true : null,
      goodness.length > 0 ? goodness : [{ at: from, good: current }],
      days,
      now,
    );
    const at = (ms: number) => new Date(ms).toISOString();
    const samples = statusSamples(entries);
    const beforeSample = before ? statusSamples([before])[0]! : null;
    if (samples.length === 0 && !beforeSample)
      samples.push({ at: from, state: entry.record.state, health: containerHealth(entry) });
    const points = containerPoints(beforeSample, samples, days, now);
    const history: History<ContainerDayMetrics> = { type: 'container', entity: entry.record.name, days, points };
    ctx.body = {
      ...history,
      healthTrend: trendOfPoints(points),
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

/** A removed container of that name, when no container of the engine answers to it. */
function removedNamed(
  ref: string,
  deps: { containers: ContainersSource; removed?: RemovedContainerStore },
): RemovedContainer | undefined {
  if (!deps.removed) return undefined;
  const found = lookUpContainer(ref, deps.containers);
  // while the inventory is still being read, a live container is not yet known: not taken for a removed one
  if (found.ok || found.problem.status !== 404) return undefined;
  return deps.removed.lastNamed(ref);
}

/** The history of a container vigil removed: its points, its actions and what was kept of it. */
function removedHistory(removed: RemovedContainer, deps: { history: HistoryStore }, days: number, now: number) {
  const from = dayStarts(days, now)[0]!;
  const entries = deps.history.since(removed.key, from);
  const before = deps.history.statusBefore(removed.key, from);
  const points = containerPoints(before ? statusSamples([before])[0]! : null, statusSamples(entries), days, now);
  const history: History<ContainerDayMetrics> = { type: 'container', entity: removed.name, days, points };
  const at = (ms: number) => new Date(ms).toISOString();
  return {
    ...history,
    healthTrend: trendOfPoints(points),
    id: removed.containerId.slice(0, 12),
    name: removed.name,
    key: removed.key,
    actions: entries.filter((e) => e.kind === 'action').map((e) => ({ at: at(e.at), ...e.data })),
    removed: {
      removedAt: at(removed.removedAt),
      exitCode: removed.exitCode,
      logs: removed.logs,
      inspect: removed.inspect,
    },
  };
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
