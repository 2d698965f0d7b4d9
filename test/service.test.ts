import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { waitFor } from './helpers/engine.js';
import { FIRST_READ_WAIT_MS } from '../src/service.js';
import { FakeEngine } from './helpers/fake-engine.js';
import { freePort } from './helpers/net.js';
import { TestSmtpServer } from './helpers/smtp.js';
import { metricValue, readiness, scrape, startVigil, type RunningVigil } from './helpers/vigil.js';
import { tempDir } from './helpers/temp-dir.js';

// The whole service (HTTP API, WebSocket, medic, alert bridge, notifications) on the fake engine: no
// root, no dockerd. The engine's answers are checked against a real one's in test/docker/contract.test.ts.
const token = 'unit-service-token-0123456789';
const auth = { authorization: `Bearer ${token}` };
const instance = 'unit-host:9323';
const heal = { 'vigil.autoheal': 'true' };

async function fakeVigil(engine: FakeEngine, env: Record<string, string> = {}): Promise<RunningVigil> {
  const vigil = await startVigil(
    {
      VIGIL_HOST: 'unit-host',
      VIGIL_API_TOKEN: token,
      VIGIL_AUTOHEAL: 'labelled',
      VIGIL_BOOT_GRACE_SECONDS: '0',
      VIGIL_BACKOFF_BASE_SECONDS: '1',
      VIGIL_ALERT_INSTANCE: instance,
      VIGIL_NOTIFY_GROUP_SECONDS: '0',
      ...env,
    },
    { engine, selfId: null },
  );
  // `ok`, not any 200: a degraded 200 comes before the inventory has read the engine's containers
  await waitFor(async () => (await readiness(vigil.url)) === 'ok', { what: 'vigil ready' });
  return vigil;
}

const calls = (engine: FakeEngine, method: string, id: string) =>
  engine.calls.filter((c) => c.method === method && c.id === id);

test('the HTTP API answers from the fake engine: containers, one by name, readiness and metrics', async (t) => {
  const engine = new FakeEngine();
  engine.run('web', { labels: { 'forge.agent.type': 'ideation' } });
  const stopped = engine.run('job');
  engine.exit(stopped, 0);
  const vigil = await fakeVigil(engine);
  t.teardown(() => vigil.stop());

  const health = (await (await vigil.get('/api/v1/containers/health', { headers: auth })).json()) as {
    host: string;
    total: number;
    containers: { name: string; status: string; health: string }[];
  };
  t.is(health.host, 'unit-host');
  t.is(health.total, 2);
  t.like(
    health.containers.map((c) => [c.name, c.status]),
    [
      ['job', 'exited'],
      ['web', 'running'],
    ],
  );
  t.is((await vigil.get('/api/v1/containers/web/health', { headers: auth })).status, 200);
  t.is((await vigil.get('/api/v1/containers/nope/health', { headers: auth })).status, 404);
  t.is((await vigil.get('/api/v1/containers/health')).status, 401, 'the token is asked for');
  const text = await scrape(vigil);
  t.is(metricValue(text, 'docker_container_state', { name: 'web', state: 'running' }), 1);
  t.is(metricValue(text, 'docker_container_state', { name: 'job', state: 'exited' }), 1);
});

test('an unknown route is a JSON 404 and a wrong method a 405', async (t) => {
  const vigil = await startVigil({}, { engine: new FakeEngine() });
  t.teardown(() => vigil.stop());
  const missing = await vigil.get('/api/v1/nothing-here');
  t.is(missing.status, 404);
  t.truthy(((await missing.json()) as { error: { message: string } }).error.message);
  const wrong = await vigil.get('/metrics', { method: 'POST' });
  t.is(wrong.status, 405);
});

test('with a token configured, /api/v1 needs it and /metrics does not', async (t) => {
  const token = 'test-token-0123456789abcdef';
  const guarded = await startVigil({ VIGIL_API_TOKEN: token }, { engine: new FakeEngine() });
  t.teardown(() => guarded.stop());
  const none = await guarded.get('/api/v1/containers/health');
  t.is(none.status, 401);
  t.regex(none.headers.get('www-authenticate') ?? '', /Bearer/);
  t.regex(((await none.json()) as { error: { message: string } }).error.message, /missing bearer token/);
  const wrong = await guarded.get('/api/v1/containers/health', { headers: { authorization: 'Bearer nope' } });
  t.is(wrong.status, 401);
  const right = await guarded.get('/api/v1/containers/health', { headers: { authorization: `Bearer ${token}` } });
  t.is(right.status, 200);
  t.is((await guarded.get('/metrics')).status, 200);
  t.is((await guarded.get('/health/live')).status, 200);
});

test('the medic starts a labelled container that crashed, and only that one', async (t) => {
  const engine = new FakeEngine();
  const vigil = await fakeVigil(engine);
  t.teardown(() => vigil.stop());
  const crashy = engine.run('crashy', { labels: heal });
  const plain = engine.run('plain');
  await waitFor(() => vigil.vigil.inventory.get(crashy)?.record.state === 'running', { what: 'crashy seen running' });
  await waitFor(() => vigil.vigil.inventory.get(plain)?.record.state === 'running', { what: 'plain seen running' });
  engine.exit(crashy, 1);
  engine.exit(plain, 1);
  await waitFor(() => calls(engine, 'start', crashy).length === 1, { what: 'the medic to start crashy' });
  await waitFor(() => vigil.vigil.inventory.get(crashy)?.record.state === 'running', { what: 'crashy running again' });
  t.deepEqual(calls(engine, 'start', plain), [], 'an unlabelled container is not the medic’s');
  const history = (await (await vigil.get('/api/v1/history/crashy', { headers: auth })).json()) as {
    actions: { action: string; outcome: string }[];
  };
  t.like(history.actions.at(-1), { action: 'start', outcome: 'success' });
});

/** Alertmanager's webhook with one firing alert whose rule asks vigil to restart `container`. */
function postRestartAlert(vigil: RunningVigil, container: string): Promise<Response> {
  const body = JSON.stringify({
    ...{ version: '4', groupKey: '{}:{alertname="PleaseRestart"}', truncatedAlerts: 0, status: 'firing' },
    ...{ receiver: 'vigil', groupLabels: {}, commonLabels: {}, commonAnnotations: {} },
    externalURL: 'http://127.0.0.1:9093',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'PleaseRestart', container, severity: 'warning', vigil_action: 'restart', instance },
        annotations: {},
        ...{ startsAt: '2026-11-22T07:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '' },
        fingerprint: 'a0a0a0a0a0a0',
      },
    ],
  });
  return vigil.get('/api/v1/alertmanager', {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body,
  });
}

test('an Alertmanager webhook that asks for a restart restarts the container, once however often it comes', async (t) => {
  const engine = new FakeEngine();
  const vigil = await fakeVigil(engine);
  t.teardown(() => vigil.stop());
  const id = engine.run('asked', { labels: heal });
  await waitFor(() => vigil.vigil.inventory.get(id), { what: 'the container' });
  const post = () => postRestartAlert(vigil, 'asked');
  const answers = await Promise.all([post(), post(), post()]);
  t.deepEqual(
    answers.map((r) => r.status),
    [200, 200, 200],
  );
  await waitFor(() => calls(engine, 'restart', id).length === 1, { what: 'the restart' });
  // the medic is done with the alert once its action is recorded: nothing is left for it to do
  await waitFor(
    async () => {
      const history = (await (await vigil.get('/api/v1/history/asked', { headers: auth })).json()) as {
        actions: { action: string; outcome: string }[];
      };
      return history.actions.some((a) => a.action === 'restart' && a.outcome === 'success');
    },
    { what: 'the restart recorded' },
  );
  vigil.vigil.medic.sweep();
  await waitFor(() => vigil.vigil.inventory.get(id)?.record.state === 'running', { what: 'running again' });
  t.is(calls(engine, 'restart', id).length, 1);
  t.is(metricValue(await scrape(vigil), 'vigil_webhook_requests_total', { outcome: 'duplicate' }), 2);
});

test('a crash is emailed through a loopback SMTP server', async (t) => {
  const smtp = new TestSmtpServer(await freePort());
  await smtp.start();
  t.teardown(() => smtp.stop());
  const file = join(tempDir(t, 'conf'), 'vigil.json');
  writeFileSync(file, JSON.stringify({ channels: [smtp.channel()] }));
  const engine = new FakeEngine();
  const vigil = await fakeVigil(engine, { VIGIL_CONFIG: file });
  t.teardown(() => vigil.stop());
  const id = engine.run('worker');
  await waitFor(() => vigil.vigil.inventory.get(id)?.record.state === 'running', { what: 'worker seen running' });
  engine.exit(id, 3);
  const mail = await waitFor(() => smtp.mails.find((m) => m.raw.includes('worker crashed (exit code 3)')), {
    what: 'the email',
  });
  t.deepEqual(mail.to, ['oncall@example.org']);
  await waitFor(() => vigil.vigil.dispatcher.health()[0]?.pending === 0, { what: 'nothing pending' });
});

test('the WebSocket sends the health summary on subscribing and a crash as it happens', async (t) => {
  const engine = new FakeEngine();
  const vigil = await fakeVigil(engine);
  t.teardown(() => vigil.stop());
  const id = engine.run('live');
  await waitFor(() => vigil.vigil.inventory.get(id)?.record.state === 'running', { what: 'live seen running' });
  const socket = new WebSocket(`${vigil.url.replace(/^http/, 'ws')}/api/v1/ws`, { headers: auth });
  t.teardown(() => socket.terminate());
  const messages: { type: string; data: Record<string, unknown> }[] = [];
  socket.on('message', (m: Buffer) => messages.push(JSON.parse(m.toString()) as (typeof messages)[number]));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'subscribe', topics: ['health', 'events'] }));
  const summary = await waitFor(() => messages.find((m) => m.type === 'health:update'), { what: 'health:update' });
  t.true(JSON.stringify(summary.data).includes('"live"'));
  engine.exit(id, 2);
  const event = await waitFor(
    () =>
      messages.find(
        (m) => m.type === 'event' && m.data.type === 'container.state' && JSON.stringify(m.data).includes('"exited"'),
      ),
    { what: 'the crash as an event' },
  );
  t.like(event.data, { container: { name: 'live' } });
});

test("a person's `docker stop` closes the container's open incident as stopped; a crash leaves its own open", async (t) => {
  const engine = new FakeEngine();
  const vigil = await fakeVigil(engine, {
    VIGIL_ENGINE_SHUTDOWN_WINDOW_SECONDS: '1',
    VIGIL_INCIDENT_QUIET_SECONDS: '2',
  });
  t.teardown(() => vigil.stop());
  const stopped = engine.run('stopped-by-hand');
  const crashed = engine.run('crashed-alone');
  for (const id of [stopped, crashed]) {
    await waitFor(() => vigil.vigil.inventory.get(id)?.record.state === 'running', { what: 'seen running' });
    engine.turnHealth(id, 'unhealthy');
  }
  const incidents = async () =>
    (await (await vigil.get('/api/v1/incidents', { headers: auth })).json()) as {
      open: { container: { name: string } }[];
      recent: { container: { name: string }; outcome: string }[];
    };
  await waitFor(async () => (await incidents()).open.length === 2, { what: 'both incidents open' });
  engine.personStop(stopped);
  engine.exit(crashed, 1);
  await waitFor(async () => (await incidents()).recent.length === 1, { what: 'an incident closed' });
  const { open, recent } = await incidents();
  t.deepEqual(
    recent.map((i) => [i.container.name, i.outcome]),
    [['stopped-by-hand', 'stopped']],
  );
  t.deepEqual(
    open.map((i) => i.container.name),
    ['crashed-alone'],
  );
});

test("a container asked for before vigil's first read of the engine is a 503 to ask again, not a 404; once read, the truth", async (t) => {
  const engine = new FakeEngine();
  engine.run('web');
  // a busy engine: the first read of every container is held until the test lets it answer
  const answer = engine.holdInspections();
  const vigil = await startVigil({ VIGIL_API_TOKEN: token, VIGIL_BOOT_GRACE_SECONDS: '0' }, { engine, selfId: null });
  t.teardown(async () => {
    answer();
    await vigil.stop();
  });
  t.false(vigil.vigil.inventory.everSynced, 'asked while the first read is under way');

  for (const name of ['web', 'never-was']) {
    const early = await vigil.get(`/api/v1/containers/${name}/health`, { headers: auth });
    t.is(early.status, 503, name);
    t.is(early.headers.get('retry-after'), '1');
    const body = (await early.json()) as { error: { message: string; retryAfterSeconds: number } };
    t.regex(body.error.message, /still reading the engine's containers/);
    t.is(body.error.retryAfterSeconds, 1);
  }
  const socket = new WebSocket(`${vigil.url.replace(/^http/, 'ws')}/api/v1/ws`, { headers: auth });
  t.teardown(() => socket.terminate());
  const messages: { type: string; data: Record<string, unknown> }[] = [];
  socket.on('message', (m: Buffer) => messages.push(JSON.parse(m.toString()) as (typeof messages)[number]));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'subscribe', topics: ['logs'], containers: ['web'] }));
  const refusal = await waitFor(() => messages.find((m) => m.type === 'error'), { what: 'the logs refusal' });
  t.like(refusal.data, { container: 'web', retryAfterSeconds: 1 });
  t.regex(String(refusal.data.message), /still reading/);

  answer();
  await waitFor(() => vigil.vigil.inventory.everSynced, { what: 'the first read done' });
  t.is((await vigil.get('/api/v1/containers/web/health', { headers: auth })).status, 200);
  const missing = await vigil.get('/api/v1/containers/never-was/health', { headers: auth });
  t.is(missing.status, 404);
  t.is(missing.headers.get('retry-after'), null);
});

test('an alert about a container vigil has not read yet is a 503 that records nothing; sent again once read, it acts', async (t) => {
  const engine = new FakeEngine();
  const id = engine.run('asked-early', { labels: heal });
  const answer = engine.holdInspections();
  const vigil = await startVigil(
    {
      VIGIL_API_TOKEN: token,
      VIGIL_ALERT_INSTANCE: instance,
      VIGIL_AUTOHEAL: 'labelled',
      VIGIL_BOOT_GRACE_SECONDS: '0',
    },
    { engine, selfId: null },
  );
  t.teardown(async () => {
    answer();
    await vigil.stop();
  });

  const early = await postRestartAlert(vigil, 'asked-early');
  t.is(early.status, 503);
  t.is(early.headers.get('retry-after'), '1');
  t.regex(((await early.json()) as { error: { message: string } }).error.message, /still reading.*"asked-early"/);
  const stored = (await (await vigil.get('/api/v1/alerts', { headers: auth })).json()) as { total: number };
  t.is(stored.total, 0, 'nothing recorded: the redelivery is no duplicate');
  t.is(metricValue(await scrape(vigil), 'vigil_webhook_requests_total', { outcome: 'deferred' }), 1);

  answer();
  await waitFor(() => vigil.vigil.inventory.everSynced, { what: 'the first read done' });
  // Alertmanager sends it again (it retries a 5xx)
  t.is((await postRestartAlert(vigil, 'asked-early')).status, 200);
  await waitFor(() => calls(engine, 'restart', id).length === 1, { what: 'the restart the alert asked for' });
});

test('an engine that never lets the first read end holds answers back for a minute at most: past it, unknown is a 404', async (t) => {
  const engine = new FakeEngine();
  engine.run('web');
  const answer = engine.holdInspections();
  // vigil's clock stands still but for what the test moves it by: the bound is not met by a slow machine
  const base = Date.now();
  let ahead = 0;
  const vigil = await startVigil(
    { VIGIL_API_TOKEN: token, VIGIL_BOOT_GRACE_SECONDS: '0' },
    { engine, selfId: null, clock: () => base + ahead },
  );
  t.teardown(async () => {
    answer();
    await vigil.stop();
  });
  const ask = async () => (await vigil.get('/api/v1/containers/web/health', { headers: auth })).status;
  t.is(await ask(), 503);
  ahead = FIRST_READ_WAIT_MS - 1;
  t.is(await ask(), 503, 'still within the minute');
  ahead = FIRST_READ_WAIT_MS;
  t.false(vigil.vigil.inventory.everSynced, 'the read has still not ended');
  t.is(await ask(), 404);
});
