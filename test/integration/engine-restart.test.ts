import test from 'ava';
import { join } from 'node:path';
import { docker, runContainer, waitFor } from '../helpers/engine.js';
import { PrivateEngine } from '../helpers/private-engine.js';
import { spawnVigil, type VigilProcess } from '../helpers/vigil-process.js';

// This test stops and starts an engine, so it gets one of its own rather than the suite's.
const engine = new PrivateEngine();
const host = engine.host;
let vigil: VigilProcess;
let base = '';

interface Entry {
  name: string;
  status: string;
}
const listed = async (): Promise<Entry[]> =>
  ((await (await fetch(`${base}/api/v1/containers/health`)).json()) as { containers: Entry[] }).containers.map(
    ({ name, status }) => ({ name, status }),
  );
const engineView = async (): Promise<Entry[]> =>
  (await docker(['ps', '-a', '--format', '{{.Names}} {{.State}}'], host))
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [name, status] = l.split(' ');
      return { name: name!, status: status! };
    });
const sorted = (list: Entry[]) => [...list].sort((a, b) => a.name.localeCompare(b.name));
const ready = async () => {
  const res = await fetch(`${base}/health/ready`);
  return {
    code: res.status,
    ...((await res.json()) as { status: string; checks: Record<string, { reason?: string }> }),
  };
};

test.before(async () => {
  await engine.up();
  await runContainer('always', ['--restart', 'always'], ['sleep', '100000'], host);
  await runContainer('norestart', [], ['sleep', '100000'], host);
  await runContainer('finished', [], ['true'], host);
  vigil = await spawnVigil({
    DOCKER_HOST: host,
    VIGIL_SAMPLE_INTERVAL_SECONDS: '1',
    VIGIL_DATA_DIR: join(engine.dir, 'vigil-data'),
  });
  base = vigil.url;
});

test.after.always(async () => {
  await vigil?.stop('SIGKILL');
  await engine.destroy();
});

test.serial('vigil follows its engine through a stop and a start, and the inventory is exact afterwards', async (t) => {
  await waitFor(async () => (await ready()).status === 'ok', { what: 'ready', timeoutMs: 20_000 });
  t.deepEqual(
    sorted(await listed()).map((e) => [e.name, e.status]),
    sorted(await engineView()).map((e) => [e.name, e.status]),
  );

  await engine.down();
  // degraded, not unhealthy: vigil still serves its store, page and alerts while the engine is down
  const body = await waitFor(
    async () => {
      const r = await ready();
      return r.checks.engine?.reason ? r : null;
    },
    { what: 'degraded while the engine is down' },
  );
  t.is(body.code, 200);
  t.is(body.status, 'degraded');
  t.like(body.checks.engine, { status: 'degraded' });
  t.regex(body.checks.engine!.reason!, /the engine is unreachable/);
  t.like(body.checks.store, { status: 'ok' });
  const metrics = await (await fetch(`${base}/metrics`)).text();
  t.regex(metrics, /^vigil_engine_up 0$/m, '/metrics is still served and says the engine is down');
  t.is(vigil.child.exitCode, null, 'vigil is still running');
  // what needs the engine now fails as the engine's failure, not vigil's: a 503 naming the engine
  const logs = await fetch(`${base}/api/v1/containers/norestart/logs?follow=false`);
  t.is(logs.status, 503);
  t.regex(((await logs.json()) as { error: { message: string } }).error.message, /cannot reach the Docker engine/);

  await engine.up();
  await waitFor(async () => (await ready()).status === 'ok', { what: 'ready again', timeoutMs: 30_000 });
  // the engine's restart policy brings back `always`; vigil brings back `norestart`, which was running
  // when the engine went down (reconcile after restart); `finished` had finished and stays exited
  await waitFor(async () => (await engineView()).find((e) => e.name === 'always')?.status === 'running', {
    what: 'always running again',
  });
  await waitFor(async () => (await engineView()).find((e) => e.name === 'norestart')?.status === 'running', {
    what: 'norestart brought back by vigil',
  });
  await waitFor(async () => JSON.stringify(sorted(await listed())) === JSON.stringify(sorted(await engineView())), {
    what: "vigil's inventory to equal the engine's",
  }).catch(async (err) => {
    t.log('vigil:', JSON.stringify(sorted(await listed())), 'engine:', JSON.stringify(sorted(await engineView())));
    t.log(
      vigil
        .output()
        .split('\n')
        .filter((l) => /"level":(40|50)|synchronised|connected/.test(l))
        .join('\n'),
    );
    throw err;
  });
  const states = Object.fromEntries((await listed()).map((e) => [e.name, e.status]));
  t.deepEqual(states, { always: 'running', norestart: 'running', finished: 'exited' });

  // events flow again: a new container appears and a removed one goes
  await runContainer('afterwards', [], ['sleep', '100000'], host);
  await docker(['rm', 'finished'], host);
  await waitFor(
    async () => {
      const names = (await listed()).map((e) => e.name).sort();
      return JSON.stringify(names) === JSON.stringify(['afterwards', 'always', 'norestart']);
    },
    { what: 'the new container in and the removed one out' },
  );
  const restarts = (await (await fetch(`${base}/api/v1/containers/always/health`)).json()) as { restarts: number };
  t.true(restarts.restarts >= 1, 'the restart across the engine restart is counted');
});

test.serial('SIGTERM stops vigil cleanly', async (t) => {
  await vigil.stop('SIGTERM');
  t.is(vigil.child.exitCode, 0);
  t.regex(vigil.output(), /"msg":"stopped"/);
  t.notRegex(vigil.output(), /"level":50/, 'no errors were logged along the way');
});
