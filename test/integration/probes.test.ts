import { join } from 'node:path';
import test from 'ava';
import { waitFor } from '../helpers/engine.js';
import { readiness, startVigil, type RunningVigil } from '../helpers/vigil.js';
import { tempDir } from '../helpers/temp-dir.js';

// GET /health and /health/ready on the real engine, on no engine at all, and over the memory line.

interface Ready {
  status: string;
  checks: Record<string, { status: string; severity: string; reason?: string }>;
}
const ready = async (v: RunningVigil) => {
  const res = await v.get('/health/ready');
  return { code: res.status, body: (await res.json()) as Ready };
};
const checkNames = ['engine', 'events', 'memory', 'sampler', 'store', 'websocket'];

test('GET /health: liveness with uptime, version and host', async (t) => {
  const vigil = await startVigil({ VIGIL_HOST: 'probe-host' });
  t.teardown(() => vigil.stop());
  const res = await vigil.get('/health');
  t.is(res.status, 200);
  const body = (await res.json()) as Record<string, unknown>;
  t.deepEqual(Object.keys(body).sort(), ['host', 'status', 'uptimeSeconds', 'version']);
  t.like(body, { status: 'ok', host: 'probe-host', version: '0.1.0' });
  t.true(typeof body.uptimeSeconds === 'number' && body.uptimeSeconds >= 0);
  t.deepEqual(await (await vigil.get('/health/live')).json(), { status: 'ok' });
});

test('GET /health/ready on a reachable engine: ok, one entry per check', async (t) => {
  const vigil = await startVigil();
  t.teardown(() => vigil.stop());
  await waitFor(async () => (await readiness(vigil.url)) === 'ok', { what: 'ok' });
  const { code, body } = await ready(vigil);
  t.is(code, 200);
  t.deepEqual(Object.keys(body.checks).sort(), checkNames);
  for (const name of checkNames) t.is(body.checks[name]!.status, 'ok', name);
  t.is(body.checks.store!.severity, 'critical');
  t.is(body.checks.engine!.severity, 'degraded');
});

test('no engine: degraded (200) naming the engine and, after three intervals, the event stream; the store still ok', async (t) => {
  const nowhere = join(tempDir(t, 'noengine'), 'docker.sock');
  const vigil = await startVigil({ DOCKER_HOST: `unix://${nowhere}`, VIGIL_SAMPLE_INTERVAL_SECONDS: '0.5' });
  t.teardown(() => vigil.stop());
  const { code, body } = await waitFor(
    async () => {
      const r = await ready(vigil);
      return r.body.checks.engine?.reason && r.body.checks.events?.reason ? r : null;
    },
    { what: 'the engine and the event stream degraded' },
  );
  t.is(code, 200);
  t.is(body.status, 'degraded');
  t.like(body.checks.engine, { status: 'degraded' });
  t.like(body.checks.events, { status: 'degraded' });
  t.regex(body.checks.events!.reason!, /event stream .* more than three intervals/);
  t.deepEqual(body.checks.store, { status: 'ok', severity: 'critical' });
  t.is((await vigil.get('/api/v1/alerts')).status, 200, 'vigil still serves its alerts');
});

test("vigil's RSS over VIGIL_READY_MEMORY_PERCENT of its limit: unhealthy, 503, with the numbers", async (t) => {
  const vigil = await startVigil({ VIGIL_READY_MEMORY_PERCENT: '0.001' });
  t.teardown(() => vigil.stop());
  const { code, body } = await ready(vigil);
  t.is(code, 503);
  t.is(body.status, 'unhealthy');
  t.like(body.checks.memory, { status: 'unhealthy', severity: 'critical' });
  t.regex(
    body.checks.memory!.reason!,
    /vigil's RSS is \d+ MiB, \d+ % of its \d+ MiB limit \(over VIGIL_READY_MEMORY_PERCENT=0.001\)/,
  );
  t.is((await vigil.get('/health')).status, 200, 'liveness is another question');
});
