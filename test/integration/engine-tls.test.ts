import test from 'ava';
import { readiness } from '../helpers/vigil.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { docker, runContainer, waitFor } from '../helpers/engine.js';
import { freePort } from '../helpers/net.js';
import { PrivateEngine } from '../helpers/private-engine.js';
import { openSseClient } from '../helpers/sse.js';
import { fileTempDirs } from '../helpers/temp-dir.js';
import { spawnVigil, type VigilProcess } from '../helpers/vigil-process.js';

// the file's temp dirs, removed after its last test
const temp = fileTempDirs(test);

// A remote engine is reached over TCP with mutual TLS, configured by the same three variables Docker's
// own CLI reads. The engine is this test's own, listening on loopback with certificates made by openssl.
let engine: PrivateEngine;
const vigils: VigilProcess[] = [];
const dataDir = temp('tls');

test.before(async () => {
  engine = new PrivateEngine({ tlsPort: await freePort() });
  await engine.up();
  await runContainer('over-tls', [], ['sh', '-c', 'echo hello over tls; sleep 100000'], engine.host);
});

test.after.always(async () => {
  await Promise.all(vigils.map((v) => v.stop('SIGKILL')));
  await engine?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

const start = async (env: Record<string, string>) => {
  const vigil = await spawnVigil({
    VIGIL_DATA_DIR: mkdtempSync(join(dataDir, 'v-')),
    VIGIL_SAMPLE_INTERVAL_SECONDS: '1',
    ...env,
  });
  vigils.push(vigil);
  return vigil;
};

test('with DOCKER_HOST=tcp://, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH vigil watches, streams and acts on the engine over TLS', async (t) => {
  const vigil = await start({ DOCKER_HOST: engine.tlsHost, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: engine.certPath });
  await waitFor(async () => (await readiness(vigil.url)) === 'ok', {
    what: 'ready over TLS',
    timeoutMs: 20_000,
  });

  const health = (await (await fetch(`${vigil.url}/api/v1/containers/over-tls/health`)).json()) as { status: string };
  t.is(health.status, 'running');

  // an engine over TCP is not this machine's: its resources come through the engine's stats API
  const stats = await waitFor(
    async () => {
      const body = (await (await fetch(`${vigil.url}/api/v1/containers/over-tls/stats`)).json()) as {
        source: string | null;
        memory: { usageBytes: number };
      };
      return body.source !== null ? body : undefined;
    },
    { what: 'a resource sample', timeoutMs: 15_000 },
  );
  t.is(stats.source, 'api');
  t.true(stats.memory.usageBytes > 0);

  // a log stream is a raw hijacked connection, which must ride the same TLS settings
  const log = await openSseClient(`${vigil.url}/api/v1/containers/over-tls/logs?tail=all&follow=false`);
  t.is(log.status, 200);
  const lines = await log.rest(10_000);
  t.true(
    lines.some((e) => e.event === 'log' && e.data.includes('hello over tls')),
    'the log line arrived over TLS',
  );
  t.is(lines.at(-1)?.event, 'end');

  // the medic acts through the same connection: a labelled container that exits is started again
  await runContainer(
    'crashes-once',
    ['--label', 'vigil.autoheal=true'],
    ['sh', '-c', 'test -f /tmp/ran && exec sleep 100000; touch /tmp/ran; sleep 2; exit 3'],
    engine.host,
  );
  // the exit itself is a moment between two runs that a poll can miss: the medic's history tells it
  interface History {
    actions: { action: string }[];
    intents: { reason: string }[];
  }
  const history = await waitFor(
    async () => {
      const h = (await (await fetch(`${vigil.url}/api/v1/history/crashes-once`)).json()) as History;
      return h.actions.length > 0 ? h : null;
    },
    { what: 'vigil started it again over TLS', timeoutMs: 30_000 },
  );
  t.true(
    history.intents.some((i) => /crashed \(exit code 3\)/.test(i.reason)),
    'the exit seen over TLS',
  );
  await waitFor(
    async () => (await docker(['inspect', '-f', '{{.State.Status}}', 'crashes-once'], engine.host)) === 'running',
    { what: 'running again', timeoutMs: 20_000 },
  );
  t.deepEqual(
    history.actions.map((a) => a.action),
    ['start'],
  );
});

test('without the client certificate the engine refuses vigil, and vigil says so instead of pretending', async (t) => {
  // the engine demands a client certificate (--tlsverify); vigil without DOCKER_CERT_PATH has none
  const vigil = await start({ DOCKER_HOST: engine.tlsHost, DOCKER_TLS_VERIFY: '', DOCKER_CERT_PATH: '' });
  await waitFor(async () => (await readiness(vigil.url)) === 'degraded', {
    what: 'degraded: the engine cannot be reached',
    timeoutMs: 20_000,
  });
  const res = await fetch(`${vigil.url}/health/ready`);
  t.is(res.status, 200, 'degraded is still served as ready: the store, page and alerts work');
  const ready = (await res.json()) as { checks: { engine: { status: string; reason?: string } } };
  t.is(ready.checks.engine.status, 'degraded');
  t.truthy(ready.checks.engine.reason);
  t.regex(await (await fetch(`${vigil.url}/metrics`)).text(), /^vigil_engine_up 0$/m);
  t.is(vigil.child.exitCode, null, 'vigil keeps running and keeps trying');
});
