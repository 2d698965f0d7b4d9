import type { Router } from '@koa/router';
import type { ContainersSource } from '../../containers/source.js';
import { markersOf, parseRange, seriesTiers, tierFor } from '../../history/series.js';
import { containerKey } from '../../recovery/identity.js';
import type { HistoryStore } from '../../store/history.js';
import { HOST_SERIES_KEY, type ResourceSeriesStore } from '../../store/resource-series.js';
import type { SeriesAnswer, SeriesMarker, SeriesRange } from '../api-types.js';
import { seriesRanges } from '../api-types.js';
import { HttpError } from '../errors.js';
import { findContainer } from './containers.js';

/** The system chart's markers at most: the latest, so that a busy week does not bury the chart. */
export const SYSTEM_MARKERS_MAX = 500;

export interface SeriesDeps {
  containers: ContainersSource;
  series: ResourceSeriesStore | undefined;
  history: HistoryStore;
  sampleIntervalSeconds: number;
  now?: () => number;
}

/** `range` or the 400 that lists the ranges there are. */
function rangeOf(value: unknown): SeriesRange {
  const range = parseRange(value);
  if (range === null) {
    const given = Array.isArray(value) ? `${value.length} values` : `"${String(value).slice(0, 40)}"`;
    throw new HttpError(400, `range must be one of ${seriesRanges.join(', ')}, not ${given}`, {
      parameter: 'range',
      ranges: seriesRanges,
    });
  }
  return range;
}

function timeWindow(range: SeriesRange, deps: SeriesDeps) {
  const { tier, spanMs } = tierFor(range);
  const to = deps.now?.() ?? Date.now();
  const bucketMs = seriesTiers[tier].bucketMs;
  return { tier, from: to - spanMs, to, stepSeconds: bucketMs > 0 ? bucketMs / 1000 : deps.sampleIntervalSeconds };
}

/** GET /api/v1/containers/:id/series and GET /api/v1/system/series: resource history with its markers. */
export function seriesRoutes(router: Router, deps: SeriesDeps): void {
  router.get('/api/v1/containers/:id/series', (ctx) => {
    const range = rangeOf(ctx.query.range);
    const entry = findContainer(ctx.params.id!, deps.containers);
    const { record } = entry;
    const { tier, from, to, stepSeconds } = timeWindow(range, deps);
    const key = containerKey(record);
    const snapshot = deps.containers.snapshot(entry);
    const body: SeriesAnswer = {
      entity: 'container',
      id: record.shortId,
      name: record.name,
      range,
      stepSeconds,
      from,
      to,
      limits: {
        cpuCores: record.limits.cpuCores,
        memoryBytes: snapshot?.sample.memoryLimitBytes ?? record.limits.memoryBytes,
      },
      points: deps.series?.read(key, tier, from) ?? [],
      markers: markersOf(deps.history.since(key, from), deps.history.statusBefore(key, from)),
    };
    ctx.body = body;
  });
  router.get('/api/v1/system/series', (ctx) => {
    const range = rangeOf(ctx.query.range);
    const { tier, from, to, stepSeconds } = timeWindow(range, deps);
    const context = deps.containers.context();
    const markers: SeriesMarker[] = [];
    for (const { record } of deps.containers.containers()) {
      const key = containerKey(record);
      const container = { id: record.shortId, name: record.name };
      for (const m of markersOf(deps.history.since(key, from), deps.history.statusBefore(key, from)))
        markers.push({ ...m, container });
    }
    markers.sort((a, b) => a.at - b.at);
    const host = deps.containers.system?.host();
    const body: SeriesAnswer = {
      entity: 'system',
      id: context.host,
      name: context.host,
      range,
      stepSeconds,
      from,
      to,
      limits: { cpuCores: host?.cpus ?? null, memoryBytes: host?.memoryTotalBytes ?? context.hostMemoryBytes },
      points: deps.series?.read(HOST_SERIES_KEY, tier, from) ?? [],
      markers: markers.slice(-SYSTEM_MARKERS_MAX),
    };
    ctx.body = body;
  });
}
