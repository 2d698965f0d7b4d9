import test from 'ava';
import { containerSummaryKeys } from '../helpers/shapes.js';
import { connect, type NatsConnection } from 'nats';
import { docker, removeContainers, runContainer, uniqueName, waitFor } from '../helpers/engine.js';
import { freePort } from '../helpers/net.js';
import { NatsServer } from '../helpers/nats.js';
import { metricValue, scrape, startVigil, type RunningVigil } from '../helpers/vigil.js';

let server: NatsServer;
let vigil: RunningVigil;
let subscriber: NatsConnection;
const name = uniqueName('nats');
const received = new Map<string, unknown[]>();

test.before(async () => {
  server = new NatsServer(await freePort());
  await server.start();
  await runContainer(name, ['--label', 'forge.agent.type=ideation'], ['sleep', '100000']);
  subscriber = await connect({
    servers: server.url,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 200,
  });
  for (const subject of [
    'vigil.nats-host.container.health',
    'vigil.nats-host.container.health.all',
    'vigil.nats-host.container.stats',
    'vigil.nats-host.container.stats.stream',
  ]) {
    received.set(subject, []);
    subscriber.subscribe(subject, { callback: (_err, msg) => !msg.reply && received.get(subject)!.push(msg.json()) });
  }
  vigil = await startVigil({
    VIGIL_NATS_URL: server.url,
    VIGIL_HOST: 'nats-host',
    VIGIL_NATS_INTERVAL_SECONDS: '1',
    VIGIL_SAMPLE_INTERVAL_SECONDS: '0.5',
  });
  await waitFor(() => vigil.vigil.nats?.connected, { what: 'vigil connected to NATS' });
});

test.after.always(async () => {
  await subscriber?.close();
  await vigil?.stop();
  await server?.stop();
  await removeContainers([name]);
});

const of = (subject: string) => received.get(`vigil.nats-host.${subject}`)! as Record<string, unknown>[];

test.serial('each subject carries the JSON API shape', async (t) => {
  await waitFor(() => of('container.stats.stream').some((s) => s.name === name), { what: 'stats.stream' });
  await waitFor(() => of('container.stats').some((s) => s.name === name), { what: 'stats' });
  await waitFor(() => of('container.health.all').length > 0, { what: 'health.all' });
  const all = of('container.health.all').at(-1)!;
  t.deepEqual(Object.keys(all).sort(), ['containers', 'healthy', 'host', 'timestamp', 'total', 'unhealthy']);
  t.is(all.host, 'nats-host');
  t.true((all.containers as { name: string }[]).some((c) => c.name === name));
  const stats = of('container.stats').find((s) => s.name === name)!;
  t.like(stats, { name, status: 'running', pids: 1 });
  t.truthy((stats.memory as { limitBytes: number }).limitBytes);

  // a change to the container is published on vigil.<host>.container.health as its summary entry
  await docker(['pause', name]);
  const paused = await waitFor(() => of('container.health').find((h) => h.name === name && h.status === 'paused'), {
    what: 'a health message',
  });
  await docker(['unpause', name]);
  t.deepEqual(Object.keys(paused).sort(), containerSummaryKeys);
  t.deepEqual(paused.labels, { 'forge.agent.type': 'ideation' });
});

test.serial('request/reply answers for a known and an unknown container, and for all', async (t) => {
  const known = (await subscriber.request('vigil.nats-host.container.health', name, { timeout: 5000 })).json<{
    name: string;
    fullId: string;
  }>();
  t.is(known.name, name);
  t.is(known.fullId.length, 64);
  const unknown = (
    await subscriber.request('vigil.nats-host.container.health', 'no-such-container', { timeout: 5000 })
  ).json<{
    error: { status: number; message: string };
  }>();
  t.is(unknown.error.status, 404);
  t.regex(unknown.error.message, /no-such-container/);
  const all = (await subscriber.request('vigil.nats-host.container.health.all', '', { timeout: 5000 })).json<{
    total: number;
  }>();
  t.true(all.total >= 1);
});

test.serial(
  'nats-server killed and restarted: vigil keeps serving and sampling, then publishing resumes',
  async (t) => {
    await server.stop();
    await waitFor(() => !vigil.vigil.nats!.connected, { what: 'vigil to see NATS gone' });
    const sweepsBefore = Number(
      metricValue(await scrape(vigil), 'vigil_collection_duration_seconds_count', { source: 'cgroup' }),
    );
    await new Promise((r) => setTimeout(r, 2000));
    const text = await scrape(vigil);
    t.is(metricValue(text, 'vigil_nats_connected'), 0);
    t.true(
      Number(metricValue(text, 'vigil_collection_duration_seconds_count', { source: 'cgroup' })) > sweepsBefore,
      'the sampler kept sweeping',
    );
    t.is((await vigil.get('/api/v1/containers/health')).status, 200);

    await server.start();
    await waitFor(() => vigil.vigil.nats!.connected, { what: 'vigil back on NATS', timeoutMs: 20_000 });
    const mark = of('container.health.all').length;
    await waitFor(() => of('container.health.all').length > mark, {
      what: 'publishing to resume',
      timeoutMs: 20_000,
    });
    t.is(metricValue(await scrape(vigil), 'vigil_nats_connected'), 1);
  },
);
