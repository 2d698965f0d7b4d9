import { Router } from '@koa/router';
import test from 'ava';
import fc from 'fast-check';
import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { ContainersSource } from '../../../src/containers/source.js';
import { parseInspect, type InspectJson } from '../../../src/docker/parse/inspect.js';
import { seriesRanges, type RecentEventsAnswer, type SeriesAnswer } from '../../../src/http/api-types.js';
import { errorHandler } from '../../../src/http/errors.js';
import { recentEventRoutes } from '../../../src/http/routes/recent-events.js';
import { seriesRoutes } from '../../../src/http/routes/series.js';
import { containerKey } from '../../../src/recovery/identity.js';
import { openStore } from '../../../src/store/db.js';
import { HistoryStore } from '../../../src/store/history.js';
import { HOST_SERIES_KEY, ResourceSeriesStore } from '../../../src/store/resource-series.js';
import { EventBus } from '../../../src/streams/event-bus.js';
import { someEvent } from '../../helpers/events.js';
import { fixtureJson } from '../../helpers/fixtures.js';
import { fileTempDirs } from '../../helpers/temp-dir.js';

// the file's temp dirs, removed after its last test
const temp = fileTempDirs(test);

const record = parseInspect(fixtureJson<InspectJson>('engine/inspect-fx-plain.json'));
const now = 10 * 86_400_000;
const point = (at: number) => ({
  at,
  cpuCores: 0.5,
  memoryBytes: 100,
  memoryLimitBytes: null,
  networkRxBytesPerSecond: 1,
  networkTxBytesPerSecond: 2,
  blockReadBytesPerSecond: 3,
  blockWriteBytesPerSecond: 4,
});

async function serve() {
  const db = openStore(temp('series-route'));
  const series = new ResourceSeriesStore(db);
  const history = new HistoryStore(db);
  const key = containerKey(record);
  series.record([
    { key, point: point(now - 30 * 60_000) },
    { key, point: point(now - 2 * 3600_000) },
    { key: HOST_SERIES_KEY, point: point(now - 60_000) },
  ]);
  history.add({
    key,
    containerId: record.id,
    name: record.name,
    at: now - 10 * 60_000,
    kind: 'action',
    data: { action: 'restart', outcome: 'success', by: 'page', reason: 'asked by a person (page)' },
  });
  const source = {
    containers: () => [{ record, restarts: 0, oomKills: 0, observedAt: new Date(now) }],
    snapshot: () => undefined,
    context: () => ({ host: 'h1', hostMemoryBytes: 8e9 }),
  } as unknown as ContainersSource;
  const bus = new EventBus(10, 1);
  bus.publish(someEvent('container.state', { from: 'running', to: 'exited' }));
  const app = new Koa();
  app.silent = true;
  app.use(errorHandler(pino({ level: 'silent' })));
  const router = new Router();
  seriesRoutes(router, { containers: source, series, history, sampleIntervalSeconds: 10, now: () => now });
  recentEventRoutes(router, { bus });
  app.use(router.routes());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, close: () => (server.close(), db.close()) };
}

test('a container series: the range picks its points, markers carry who asked', async (t) => {
  const s = await serve();
  t.teardown(s.close);
  const hour = (await (await fetch(`${s.base}/api/v1/containers/${record.name}/series`)).json()) as SeriesAnswer;
  t.like(hour, { entity: 'container', name: record.name, range: '1h', stepSeconds: 10 });
  t.is(hour.points.length, 1, 'tier 0 over the last hour');
  t.deepEqual(
    hour.markers.map((m) => [m.kind, m.by]),
    [['action', 'page']],
  );
  const day = (await (
    await fetch(`${s.base}/api/v1/containers/${record.name}/series?range=24h`)
  ).json()) as SeriesAnswer;
  t.is(day.stepSeconds, 60);
  t.is(day.points.length, 2);
  const system = (await (await fetch(`${s.base}/api/v1/system/series?range=6h`)).json()) as SeriesAnswer;
  t.like(system, { entity: 'system', id: 'h1' });
  t.is(system.points.length, 1);
  t.is(system.markers[0]?.container?.name, record.name);
});

test('a range that is not one of the four, or no such container, is a clear 4xx', async (t) => {
  const s = await serve();
  t.teardown(s.close);
  const ranges = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('1d', '7D', ' 1h', '24h ', '0', '-1h'));
  await t.notThrowsAsync(() =>
    fc.assert(
      fc.asyncProperty(ranges, fc.boolean(), async (range, system) => {
        const path = system ? '/api/v1/system/series' : `/api/v1/containers/${record.name}/series`;
        const res = await fetch(`${s.base}${path}?range=${encodeURIComponent(range)}`);
        const body = (await res.json()) as { error?: { message: string } };
        if ((seriesRanges as readonly string[]).includes(range)) return res.status === 200;
        return res.status === 400 && /range must be one of 1h, 6h, 24h, 7d/.test(body.error?.message ?? '');
      }),
      { numRuns: 60 },
    ),
  );
  const twice = await fetch(`${s.base}/api/v1/system/series?range=1h&range=6h`);
  t.is(twice.status, 400);
  const unknown = await fetch(`${s.base}/api/v1/containers/no-such-one/series?range=1h`);
  t.is(unknown.status, 404);
});

test('recent events: oldest first, a limit from 1 to 500, else 400', async (t) => {
  const s = await serve();
  t.teardown(s.close);
  const body = (await (await fetch(`${s.base}/api/v1/events/recent`)).json()) as RecentEventsAnswer;
  t.is(body.events[0]?.type, 'container.state');
  await t.notThrowsAsync(() =>
    fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: -5, max: 600 }).map(String), fc.string({ maxLength: 6 })),
        async (limit) => {
          const res = await fetch(`${s.base}/api/v1/events/recent?limit=${encodeURIComponent(limit)}`);
          const ok = /^\d{1,4}$/.test(limit) && Number(limit) >= 1 && Number(limit) <= 500;
          return res.status === (ok ? 200 : 400);
        },
      ),
      { numRuns: 60 },
    ),
  );
});
