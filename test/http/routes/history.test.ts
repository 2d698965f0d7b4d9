import { Router } from '@koa/router';
import test from 'ava';
import fc from 'fast-check';
import Koa from 'koa';
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { newEntry } from '../../../src/docker/inventory.js';
import { parseInspect, type InspectJson } from '../../../src/docker/parse/inspect.js';
import { errorHandler, HttpError } from '../../../src/http/errors.js';
import { historyRoutes, parseDays } from '../../../src/http/routes/history.js';
import { containerKey } from '../../../src/recovery/identity.js';
import { openStore } from '../../../src/store/db.js';
import { HistoryStore } from '../../../src/store/history.js';
import { HistoryDaysStore } from '../../../src/store/history-days.js';
import { OutboxStore } from '../../../src/store/outbox.js';
import { fixtureJson } from '../../helpers/fixtures.js';
import { tempDir } from '../../helpers/temp-dir.js';

const DAY = 86_400_000;
const now = Date.parse('2026-12-01T12:00:00Z');

test('days: 30 when absent, 1 to 90, anything else a 400 naming days', (t) => {
  t.is(parseDays(undefined), 30);
  t.is(parseDays('1'), 1);
  t.is(parseDays('90'), 90);
  for (const bad of ['0', '91', '-1', '1.5', 'ten', '', ['1', '2']]) {
    const err = t.throws(() => parseDays(bad), { instanceOf: HttpError });
    t.is(err.status, 400);
    t.regex(err.message, /^days must be a whole number from 1 to 90/);
  }
});

test('property: any days query is a whole number from 1 to 90 or a 400 naming days', (t) => {
  const value = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.integer({ min: -1000, max: 1000 }).map(String),
    fc.array(fc.string({ maxLength: 3 }), { minLength: 2, maxLength: 3 }),
  );
  t.notThrows(() =>
    fc.assert(
      fc.property(value, (v) => {
        try {
          const days = parseDays(v);
          return Number.isInteger(days) && days >= 1 && days <= 90 && String(days) === String(Number(v));
        } catch (err) {
          return err instanceof HttpError && err.status === 400 && err.message.startsWith('days must be');
        }
      }),
    ),
  );
});

async function serve(t: import('ava').ExecutionContext) {
  const dir = tempDir(t, 'history-route');
  const db = openStore(dir);
  const history = new HistoryStore(db);
  const outbox = new OutboxStore(db);
  const record = parseInspect(fixtureJson<InspectJson>('engine/inspect-fx-plain.json'));
  const entry = newEntry(record, new Date(now));
  const key = containerKey(record);
  history.add({
    key,
    containerId: record.id,
    name: record.name,
    at: now - 3 * DAY,
    kind: 'status',
    data: { state: 'running', health: 'healthy', good: true },
  });
  history.add({
    key,
    containerId: record.id,
    name: record.name,
    at: now - 2 * 3_600_000,
    kind: 'status',
    data: { state: 'exited', health: 'unhealthy', good: false },
  });
  history.add({
    key,
    containerId: record.id,
    name: record.name,
    at: now - 3_600_000,
    kind: 'status',
    data: { state: 'running', health: 'healthy', good: true },
  });
  outbox.add('mail', 'k1', '{}', now - 3_600_000, 0);
  const app = new Koa();
  app.use(errorHandler(pino({ level: 'silent' })));
  const router = new Router();
  historyRoutes(router, {
    containers: {
      containers: () => [entry],
      snapshot: () => undefined,
      context: () => ({ now: new Date(now), host: 'host-a', hostMemoryBytes: 1 << 30, labelAllowlist: [] }),
    },
    history,
    days: new HistoryDaysStore(db),
    channels: () => ['mail'],
    retentionDays: 30,
    now: () => now,
  });
  app.use(router.routes());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  t.teardown(() => {
    server.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = async (path: string) => {
    const res = await fetch(base + path);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { get, name: record.name };
}

const pointKeys = ['healthScore', 'metrics', 'status', 'timestamp'];

test('a container history: 30 daily points by default, with its restarts, crashes, unhealthy minutes and trend', async (t) => {
  const { get, name } = await serve(t);
  const { status, body } = await get(`/api/v1/history/${name}`);
  t.is(status, 200);
  t.like(body, { type: 'container', entity: name, days: 30 });
  const points = body.points as { metrics: Record<string, number> }[];
  t.is(points.length, 30);
  for (const p of points) t.deepEqual(Object.keys(p).sort(), pointKeys);
  t.deepEqual(points.at(-1)!.metrics, { restarts: 1, crashes: 1, unhealthyMinutes: 60 });
  t.true(['improving', 'stable', 'declining'].includes(body.healthTrend as string));
  // what the page reads is still there
  t.true(Array.isArray(body.dailyHealthScore) && Array.isArray(body.actions) && typeof body.trend === 'string');
});

test('a channel and the system history; unknown container or channel a 404 naming it; bad days a 400', async (t) => {
  const { get } = await serve(t);
  const channel = await get('/api/v1/history/channel/mail?days=7');
  t.is(channel.status, 200);
  t.like(channel.body, { type: 'channel', entity: 'mail', days: 7 });
  t.deepEqual((channel.body.points as { metrics: unknown }[]).at(-1)!.metrics, {
    sent: 0,
    failed: 0,
    medianLatencyMs: null,
  });
  const system = await get('/api/v1/history/system?days=2');
  t.is(system.status, 200);
  t.like(system.body, { type: 'system', entity: 'host-a', days: 2 });
  t.deepEqual((system.body.points as { metrics: unknown }[]).at(-1)!.metrics, {
    containersRunning: 1,
    alerts: 0,
    recoveries: 0,
  });
  const noChannel = await get('/api/v1/history/channel/pager');
  t.is(noChannel.status, 404);
  t.regex(JSON.stringify(noChannel.body), /no channel named \\"pager\\"/);
  const noContainer = await get('/api/v1/history/nosuchthing');
  t.is(noContainer.status, 404);
  t.regex(JSON.stringify(noContainer.body), /nosuchthing/);
  const bad = await get('/api/v1/history/system?days=91');
  t.is(bad.status, 400);
  t.regex(JSON.stringify(bad.body), /days must be a whole number from 1 to 90/);
});
