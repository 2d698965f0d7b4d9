import test from 'ava';
import { createServer } from 'node:http';
import pino from 'pino';
import { OwnAlertSender } from '../../../src/alerts/own/sender.js';
import { OwnAlertSources } from '../../../src/alerts/own/sources.js';
import type { InventoryEntry } from '../../../src/docker/inventory.js';
import type { ContainerRecord } from '../../../src/docker/types.js';
import type { ProbeHealth } from '../../../src/probes/state.js';
import { EventBus } from '../../../src/streams/event-bus.js';
import { someEvent } from '../../helpers/events.js';

const record = (name: string, state: ContainerRecord['state'] = 'running') =>
  ({ id: `${name}-id`, name, state, health: null }) as unknown as ContainerRecord;

function sources(entries: { name: string; state?: ContainerRecord['state']; gaveUp?: boolean }[]) {
  const bus = new EventBus();
  const list = () => entries.map((e) => ({ record: record(e.name, e.state) }) as InventoryEntry);
  const own = new OwnAlertSources({
    bus,
    containers: list,
    recoveryStates: () =>
      entries.filter((e) => e.gaveUp).map((e) => ({ record: record(e.name, e.state), state: { gaveUpAt: 1 } })),
    channels: () => [
      { name: 'mail', status: 'error', lastError: 'ECONNREFUSED' },
      { name: 'slack', status: 'healthy', lastError: null },
    ],
  });
  return { bus, own };
}

test('the facts follow the events: spikes and the host until normal, the boot failures until the container runs', (t) => {
  const entries: { name: string; state?: ContainerRecord['state'] }[] = [
    { name: 'web' },
    { name: 'db', state: 'exited' },
  ];
  const { bus, own } = sources(entries);
  const web = { id: 'web-id', name: 'web' };
  bus.publish(someEvent('resource.spike', { resource: 'memory', level: 'critical' }, web));
  bus.publish(someEvent('host.spike', { resource: 'cpu', level: 'warning' }));
  bus.publish(someEvent('recovery.boot', { failed: [{ name: 'db', reason: 'no such image' }] }));
  t.like(own.facts(), {
    spikes: [{ name: 'web', resource: 'memory', level: 'critical' }],
    host: [{ resource: 'cpu', level: 'warning' }],
    bootLeftDown: [{ name: 'db', reason: 'no such image' }],
    channelsFailing: [{ name: 'mail', lastError: 'ECONNREFUSED' }],
  });
  bus.publish(someEvent('resource.normal', { resource: 'memory', level: 'normal' }, web));
  bus.publish(someEvent('host.normal', { resource: 'cpu', level: 'normal' }));
  entries[1]!.state = 'running';
  t.like(own.facts(), { spikes: [], host: [], bootLeftDown: [] });
});

test('a failing probe is a fact while it fails on the current run, until it passes or its container goes', (t) => {
  const startedAt = new Date('2026-12-02T01:00:00Z');
  const failing = (runStartedAt: number): ProbeHealth => ({
    runStartedAt,
    status: 'unhealthy',
    exec: {
      command: ['cat', '/tmp/ok'],
      status: 'unhealthy',
      failingStreak: 3,
      last: { start: startedAt, end: startedAt, exitCode: 1, output: 'no such file' },
    },
    log: null,
    errors: [],
  });
  const api = { record: { ...record('api'), startedAt }, probe: failing(startedAt.getTime()) } as InventoryEntry;
  const entries: InventoryEntry[] = [api];
  const own = new OwnAlertSources({
    bus: new EventBus(),
    containers: () => entries,
    recoveryStates: () => [],
    channels: () => [],
  });
  const probesFailing = () => own.facts().probesFailing;
  t.is(probesFailing().length, 1);
  t.like(probesFailing()[0], { name: 'api' });
  t.regex(probesFailing()[0]!.detail, /cat \/tmp\/ok.*failed 3 times.*no such file/);
  // a verdict about an earlier run of the container (before a restart) is no fact
  entries[0] = { ...api, probe: failing(startedAt.getTime() - 60_000) };
  t.deepEqual(probesFailing(), []);
  entries[0] = { ...api, probe: { ...failing(startedAt.getTime()), status: 'healthy', exec: null } };
  t.deepEqual(probesFailing(), []);
  entries[0] = api;
  t.is(probesFailing().length, 1);
  entries.pop();
  t.deepEqual(probesFailing(), []);
});

test('given up: a fact while vigil has given up, healthy once the container runs again', (t) => {
  const entries: { name: string; state: ContainerRecord['state']; gaveUp: boolean }[] = [
    { name: 'stuck', state: 'exited', gaveUp: true },
  ];
  const { own } = sources(entries);
  t.deepEqual(own.facts().gaveUp, [{ name: 'stuck', healthy: false }]);
  entries[0]!.state = 'running';
  t.deepEqual(own.facts().gaveUp, [{ name: 'stuck', healthy: true }]);
});

/**
 * A loopback Alertmanager stand-in that answers each POST /api/v2/alerts with the next status. The
 * senders it answers get a resend interval of 30 s, and so a 10 s timeout per try, unless the timeout is
 * what a test is about: the unit tests share a worker, and another's busy moment held this one's event
 * loop past a 1 s timeout.
 */
async function alertmanager(t: { teardown(f: () => void): void }, statuses: number[]) {
  const bodies: unknown[] = [];
  let drop = false;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      bodies.push({ path: req.url, body: JSON.parse(body) as unknown });
      // an Alertmanager that goes away mid-request: the try fails once its body is in, whatever the load
      if (drop) return req.socket.destroy();
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, bodies, dropFromNow: () => (drop = true) };
}

test('the sender posts to /api/v2/alerts, tries a 5xx again (bounded), and does not try a 4xx again', async (t) => {
  const am = await alertmanager(t, [503, 503, 503, 400]);
  const { own } = sources([{ name: 'stuck', state: 'exited', gaveUp: true }]);
  const sender = new OwnAlertSender(
    () => own.facts(),
    { urls: [am.url], host: 'h1', resendMs: 30_000 },
    pino({ level: 'silent' }),
  );
  await sender.resend();
  t.is(am.bodies.length, 3, 'three tries, then it waits for the next resend');
  t.is(sender.outcomes.get('failed'), 1);
  t.like(am.bodies[0], { path: '/api/v2/alerts' });
  const [first] = (am.bodies[0] as { body: { labels: Record<string, string> }[] }).body;
  t.like(first!.labels, { alertname: 'VigilRecoveryGaveUp', container: 'stuck', host: 'h1', source: 'vigil' });
  await sender.resend();
  t.is(am.bodies.length, 4, 'a 400 is not tried again');
  await sender.resend();
  t.is(sender.outcomes.get('sent'), 1);
});

test('a resend still in flight is joined, not doubled: an Alertmanager that fails every try gets three, not six', async (t) => {
  const am = await alertmanager(t, []);
  am.dropFromNow();
  const { own } = sources([{ name: 'stuck', state: 'exited', gaveUp: true }]);
  const sender = new OwnAlertSender(
    () => own.facts(),
    { urls: [am.url], host: 'h1', resendMs: 30_000 },
    pino({ level: 'silent' }),
  );
  const first = sender.resend();
  t.is(sender.resend(), first);
  await first;
  // three tries, each ended by the server once it has read it, long before the 10 s timeout (a 1 s one
  // raced the loaded loop: a try could time out before the server had read it)
  t.is(am.bodies.length, 3);
  t.is(sender.outcomes.get('failed'), 1);
});

test('nothing active and nothing lately resolved: nothing is sent', async (t) => {
  const am = await alertmanager(t, []);
  const { own } = sources([{ name: 'web' }]);
  const sender = new OwnAlertSender(
    () => own.facts(),
    { urls: [am.url], host: 'h1', resendMs: 30_000 },
    pino({ level: 'silent' }),
  );
  const withoutChannels = () => ({ ...own.facts(), channelsFailing: [] });
  const quiet = new OwnAlertSender(
    withoutChannels,
    { urls: [am.url], host: 'h1', resendMs: 30_000 },
    pino({ level: 'silent' }),
  );
  await quiet.resend();
  t.is(am.bodies.length, 0);
  await sender.resend();
  t.is(am.bodies.length, 1, 'the failing channel is sent');
});
