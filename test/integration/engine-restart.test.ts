import test from 'ava';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { docker, runContainer, waitFor } from '../helpers/engine.js';
import { freePort } from '../helpers/net.js';

const exec = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const engineScript = join(repo, 'scripts/test-engine.sh');

// This test stops and starts an engine, so it gets one of its own rather than the suite's.
const dir = mkdtempSync(join(tmpdir(), 'vigil-er-'));
const host = `unix://${dir}/docker.sock`;
const engineUp = () => exec('bash', [engineScript, 'up', dir]);
const engineDown = () => exec('bash', [engineScript, 'down', dir]);

let child: ChildProcess | undefined;
let base = '';
const output: string[] = [];


interface Entry { name: string; status: string }
const listed = async (): Promise<Entry[]> =>
  ((await (await fetch(`${base}/api/v1/containers/health`)).json()) as { containers: Entry[] }).containers.map(({ name, status }) => ({ name, status }));
const engineView = async (): Promise<Entry[]> =>
  (await docker(['ps', '-a', '--format', '{{.Names}} {{.State}}'], host)).split('\n').filter(Boolean).map((l) => {
    const [name, status] = l.split(' ');
    return { name: name!, status: status! };
  });
const sorted = (list: Entry[]) => [...list].sort((a, b) => a.name.localeCompare(b.name));
const ready = async () => (await fetch(`${base}/health/ready`)).status;

test.before(async () => {
  await engineUp();
  await runContainer('always', ['--restart', 'always'], ['sleep', '100000'], host);
  await runContainer('norestart', [], ['sleep', '100000'], host);
  await runContainer('finished', [], ['true'], host);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'src/main.ts')], {
    cwd: repo,
    env: { ...process.env, DOCKER_HOST: host, VIGIL_LISTEN: `127.0.0.1:${port}`, VIGIL_SAMPLE_INTERVAL_SECONDS: '1', VIGIL_LOG_LEVEL: 'debug', VIGIL_DATA_DIR: join(dir, 'vigil-data') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => output.push(c.toString()));
  child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
});

test.after.always(async () => {
  child?.kill('SIGKILL');
  await engineDown().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
});

test.serial('vigil follows its engine through a stop and a start, and the inventory is exact afterwards', async (t) => {
  await waitFor(async () => (await ready()) === 200, { what: 'ready', timeoutMs: 20_000 });
  t.deepEqual(sorted(await listed()).map((e) => [e.name, e.status]), sorted(await engineView()).map((e) => [e.name, e.status]));

  await engineDown();
  await waitFor(async () => (await ready()) === 503, { what: 'not ready while the engine is down' });
  const body = (await (await fetch(`${base}/health/ready`)).json()) as { checks: { engine: string } };
  t.regex(body.checks.engine, /cannot reach the engine/);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  t.regex(metrics, /^vigil_engine_up 0$/m, '/metrics is still served and says the engine is down');
  t.is(child!.exitCode, null, 'vigil is still running');

  await engineUp();
  await waitFor(async () => (await ready()) === 200, { what: 'ready again', timeoutMs: 30_000 });
  // the engine's restart policy brings back `always`; vigil brings back `norestart`, which was running
  // when the engine went down (reconcile after restart); `finished` had finished and stays exited
  await waitFor(async () => (await engineView()).find((e) => e.name === 'always')?.status === 'running', { what: 'always running again' });
  await waitFor(async () => (await engineView()).find((e) => e.name === 'norestart')?.status === 'running', { what: 'norestart brought back by vigil' });
  await waitFor(async () => JSON.stringify(sorted(await listed())) === JSON.stringify(sorted(await engineView())), {
    what: 'vigil\'s inventory to equal the engine\'s',
  }).catch(async (err) => {
    t.log('vigil:', JSON.stringify(sorted(await listed())), 'engine:', JSON.stringify(sorted(await engineView())));
    t.log(output.join('').split('\n').filter((l) => /"level":(40|50)|synchronised|connected/.test(l)).join('\n'));
    throw err;
  });
  const states = Object.fromEntries((await listed()).map((e) => [e.name, e.status]));
  t.deepEqual(states, { always: 'running', norestart: 'running', finished: 'exited' });

  // events flow again: a new container appears and a removed one goes
  await runContainer('afterwards', [], ['sleep', '100000'], host);
  await docker(['rm', 'finished'], host);
  await waitFor(async () => {
    const names = (await listed()).map((e) => e.name).sort();
    return JSON.stringify(names) === JSON.stringify(['afterwards', 'always', 'norestart']);
  }, { what: 'the new container in and the removed one out' });
  const restarts = await (await fetch(`${base}/api/v1/containers/always/health`)).json() as { restarts: number };
  t.true(restarts.restarts >= 1, 'the restart across the engine restart is counted');
});

test.serial('SIGTERM stops vigil cleanly', async (t) => {
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  child!.kill('SIGTERM');
  t.is(await exited, 0);
  t.regex(output.join(''), /"msg":"stopped"/);
  t.notRegex(output.join(''), /"level":50/, 'no errors were logged along the way');
});
