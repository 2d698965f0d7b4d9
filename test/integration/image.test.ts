import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { docker as dockerOn, runContainer as runOn, uniqueName, waitFor } from '../helpers/engine.js';
import { freePort } from '../helpers/net.js';
import { PrivateEngine } from '../helpers/private-engine.js';
import { spawnVigil, type VigilProcess } from '../helpers/vigil-process.js';
import { metricValue } from '../helpers/vigil.js';
import { migrations } from '../../src/store/migrations.js';
import { fileTempDirs } from '../helpers/temp-dir.js';

// the file's temp dirs, removed after its last test
const temp = fileTempDirs(test);

// vigil's image as users run it: built by `npm run image` from the Dockerfile, started with the
// README's own commands. Its medic acts on containers, so the file has an engine of its own.
const exec = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const engine = new PrivateEngine();
const sock = join(engine.dir, 'docker.sock');
const docker = (args: string[]) => dockerOn(args, engine.host);
const runContainer = (n: string, options: string[], command: string[]) => runOn(n, options, command, engine.host);

/** The commands of the README's "Running it" block, continuation lines joined. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Running it\n'));
  const block = /```sh\n([\s\S]*?)```/.exec(section.slice(0, section.indexOf('\n## ', 1)))?.[1];
  if (!block) throw new Error('README.md: no sh block in "Running it"');
  return block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

function replaceOnce(text: string, find: RegExp, by: string): string {
  const matches = text.match(new RegExp(find.source, 'g'))?.length ?? 0;
  if (matches === 0) throw new Error(`the README's command has no ${find.source}: ${text}`);
  return text.replace(new RegExp(find.source, 'g'), by);
}

/**
 * The README's `docker run`, as the test must run it on its private engine, and nothing else changed:
 * the engine's socket is the private engine's (both where its group is read and where it is
 * mounted from); and that engine has no bridge (`--bridge=none`), so `-p 9323:9323` becomes
 * `--network host` with VIGIL_LISTEN on a loopback port of this machine. The test containers keep
 * `--network none`.
 */
function readmeRun(port: number, name = 'vigil', volume = 'vigil-data', extra = ''): string {
  const run = readmeCommands().find((c) => c.startsWith('docker run '));
  if (!run) throw new Error('README.md: no docker run in "Running it"');
  let line = replaceOnce(run, /\/var\/run\/docker\.sock(?=[:)])/, sock);
  line = replaceOnce(line, / -p 9323:9323 /, ` --network host -e VIGIL_LISTEN=127.0.0.1:${port} ${extra} `);
  line = replaceOnce(line, / --name vigil /, ` --name ${name} `);
  return replaceOnce(line, / -v vigil-data:\/data /, ` -v ${volume}:/data `);
}

/** Runs a README command with bash in `cwd`, on the private engine. */
async function sh(command: string, cwd: string): Promise<string> {
  const { stdout } = await exec('bash', ['-euo', 'pipefail', '-c', command], {
    cwd,
    env: { ...process.env, DOCKER_HOST: engine.host },
  });
  return stdout.trim();
}

interface Inspect {
  Id: string;
  RestartCount: number;
  Config: { User: string };
  State: { Pid: number; Running: boolean; StartedAt: string; ExitCode: number; Health?: { Status: string } };
  HostConfig: { ReadonlyRootfs: boolean; CapDrop: string[] | null; GroupAdd: string[] | null };
}
const inspect = async (name: string) => (JSON.parse(await docker(['inspect', name])) as Inspect[])[0]!;

const work = temp('image');
let hostVigil: VigilProcess | undefined;

test.before(async (t) => {
  // a cold build here (no base image, no saved image): debootstrap, npm ci and better-sqlite3 compiled
  t.timeout(25 * 60_000);
  await engine.up();
  const commands = readmeCommands();
  t.is(commands[0], 'npm run image', "the README's first command builds the image");
  // VIGIL_IMAGE_SAVE: this engine is made anew for every run; the image is saved and loaded back
  await new Promise<void>((resolve, reject) => {
    const child = spawn('bash', ['-c', commands[0]!], {
      cwd: repo,
      env: { ...process.env, DOCKER_HOST: engine.host, VIGIL_IMAGE_SAVE: '1' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm run image exited with ${code}`))));
  });
  for (const command of commands.slice(1)) if (!command.startsWith('docker run ')) await sh(command, work);
});

test.after.always(async () => {
  await hostVigil?.stop();
  await engine.destroy();
});

const burner = uniqueName('burner');
const holder = uniqueName('holder');
const parked = uniqueName('parked');
const exited = uniqueName('exited');

test.serial('without VIGIL_API_TOKEN the image refuses to start, with exit code 2 and the reason', async (t) => {
  const err = await t.throwsAsync(docker(['run', '--rm', '--network', 'none', 'vigil']));
  t.regex(
    (err as unknown as { stderr: string }).stderr,
    /0\.0\.0\.0:9323 is not a loopback address and VIGIL_API_TOKEN is not set/,
  );
  t.is((err as unknown as { code: number }).code, 2);
});

test.serial(
  "the README's docker run: non-root, read-only, no capabilities, healthy, and /metrics as a vigil on the host has it",
  async (t) => {
    t.timeout(8 * 60_000);
    // a container that burns CPU for a while then idles, one that holds 32 MB, and a stopped one
    await runContainer(
      burner,
      [],
      ['sh', '-c', 'i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done; touch /done; sleep 3600'],
    );
    await runContainer(
      holder,
      [],
      ['sh', '-c', 'dd if=/dev/zero of=/dev/shm/held bs=1M count=32 2>/dev/null; sleep 3600'],
    );
    await runContainer(parked, [], ['sleep', '3600']);
    await runContainer(exited, [], ['true']);

    const port = await freePort();
    await sh(readmeRun(port), work);
    const url = `http://127.0.0.1:${port}`;
    hostVigil = await spawnVigil({
      DOCKER_HOST: engine.host,
      VIGIL_AUTOHEAL: 'off',
      VIGIL_DATA_DIR: temp('host-data'),
    });

    const container = await inspect('vigil');
    t.is(container.Config.User, 'vigil');
    t.true(container.HostConfig.ReadonlyRootfs);
    t.deepEqual(container.HostConfig.CapDrop, ['ALL']);
    const status = readFileSync(`/proc/${container.State.Pid}/status`, 'utf8');
    t.regex(status, /^Uid:\s+9323\s+9323\s+9323\s+9323$/m, 'vigil runs as uid 9323 on the host too');
    t.regex(status, /^CapEff:\s+0+$/m, 'with no capabilities');

    await waitFor(async () => (await inspect('vigil')).State.Health?.Status === 'healthy', {
      what: 'the image HEALTHCHECK healthy',
      timeoutMs: 90_000,
      intervalMs: 500,
    });

    const token = readFileSync(join(work, 'vigil-token'), 'utf8').trim();
    t.is((await fetch(`${url}/api/v1/containers/health`)).status, 401);
    t.is(
      (await fetch(`${url}/api/v1/containers/health`, { headers: { authorization: `Bearer ${token}` } })).status,
      200,
    );

    // the burner is done, so CPU and memory hold still; both have sampled since
    await waitFor(() => docker(['exec', burner, 'test', '-f', '/done']).then(() => true), {
      what: 'the burner done',
      timeoutMs: 120_000,
      intervalMs: 500,
    });
    const settled = (text: string) =>
      (metricValue(text, 'docker_container_cpu_usage_seconds_total', { name: burner }) ?? 0) > 0 &&
      (metricValue(text, 'docker_container_memory_usage_bytes', { name: holder }) ?? 0) > 32 * 2 ** 20;
    const scrapeBoth = () =>
      Promise.all([`${url}/metrics`, `${hostVigil!.url}/metrics`].map(async (u) => (await fetch(u)).text()));
    // the figures the two vigils must agree on; each vigil samples on its own clock, so they are compared
    // once each vigil's figures stood still over two scrapes in a row (a burner's few hundred KB of
    // memory moves with the page cache of the exec that asked it whether it was done)
    const compared = [
      ['docker_container_cpu_usage_seconds_total', burner],
      ['docker_container_memory_usage_bytes', holder],
      ['docker_container_memory_working_set_bytes', holder],
      ['docker_container_memory_usage_bytes', burner],
    ] as const;
    const standingStill = (text: string, before: string | undefined) =>
      before !== undefined &&
      compared.every(([metric, name]) => metricValue(text, metric, { name }) === metricValue(before, metric, { name }));
    let previous: string[] = [];
    const [inContainer, onHost] = await waitFor(
      async () => {
        const texts = await scrapeBoth();
        const still = texts.every((x, i) => settled(x) && standingStill(x, previous[i]));
        previous = texts;
        return still ? texts : null;
      },
      { what: 'both vigils sampling the burner and the holder at rest', timeoutMs: 120_000, intervalMs: 6000 },
    );

    const names = (text: string) =>
      [...text.matchAll(/^docker_container_info\{[^}]*name="([^"]+)"/gm)].map((m) => m[1]).sort();
    t.deepEqual(names(inContainer!), names(onHost!), 'the same containers');
    t.true([exited, burner, 'vigil'].every((n) => names(inContainer!).includes(n)));
    for (const [metric, name] of compared) {
      const a = metricValue(inContainer!, metric, { name })!;
      const b = metricValue(onHost!, metric, { name })!;
      t.true(Math.abs(a - b) <= 0.1 * b, `${metric}{name="${name}"}: ${a} in the container, ${b} on the host`);
    }
    t.true((metricValue(inContainer!, 'docker_container_network_receive_bytes_total', { name: holder }) ?? -1) >= 0);
    // every container read from the mounted cgroup tree, none through the stats API
    t.is(metricValue(inContainer!, 'vigil_collection_unread_containers'), 0);
  },
);

test.serial('docker stop ends the container within 5 s, and its store keeps what it learned', async (t) => {
  t.timeout(3 * 60_000);
  const token = readFileSync(join(work, 'vigil-token'), 'utf8').trim();
  const listen = (await docker(['inspect', '-f', '{{range .Config.Env}}{{println .}}{{end}}', 'vigil']))
    .split('\n')
    .find((e) => e.startsWith('VIGIL_LISTEN='))!
    .slice('VIGIL_LISTEN='.length);
  // a person's stop, which vigil keeps as the container's desired state
  await docker(['stop', '-t', '1', parked]);
  await waitFor(
    async () => {
      const res = await fetch(`http://${listen}/api/v1/history/${parked}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await res.json()) as { intents?: { desired: string }[] };
      return body.intents?.some((i) => i.desired === 'stopped');
    },
    { what: "the parked container's stop in the history" },
  );

  // docker stop's SIGTERM, then SIGKILL after its 10 s: exit code 0 says vigil ended on the first
  await docker(['stop', 'vigil']);
  const stopped = await inspect('vigil');
  t.false(stopped.State.Running);
  t.is(stopped.State.ExitCode, 0, 'vigil ended on SIGTERM by itself, not killed');

  const check = `
    const Database = require('better-sqlite3');
    const db = new Database('/data/vigil.db', { readonly: true, fileMustExist: true });
    console.log(JSON.stringify({
      integrity: db.pragma('integrity_check', { simple: true }),
      versions: db.prepare('SELECT count(*) FROM schema_migrations').pluck().get(),
      parked: db.prepare('SELECT desired FROM desired_state WHERE name = ?').pluck().get(process.argv[1]),
    }));`;
  const out = await docker([
    'run',
    '--rm',
    '--network',
    'none',
    '-v',
    'vigil-data:/data',
    'vigil',
    'node',
    '-e',
    check,
    parked,
  ]);
  t.deepEqual(JSON.parse(out), { integrity: 'ok', versions: migrations.length, parked: 'stopped' });
  await docker(['rm', 'vigil']);
});

test.serial('the medic in the container restarts an unhealthy container but never its own', async (t) => {
  t.timeout(3 * 60_000);
  // the vigil on the host has done its part; its medic, even with VIGIL_AUTOHEAL=off, would act on a
  // container labelled vigil.autoheal=true (the label wins over the scope): only the container's may act
  await hostVigil?.stop();
  hostVigil = undefined;
  const port = await freePort();
  const unwell = uniqueName('unwell');
  const failing = [
    '--label',
    'vigil.autoheal=true',
    '--health-cmd',
    'false',
    '--health-interval',
    '1s',
    '--health-retries',
    '1',
    // the image's HEALTHCHECK has a start period of 30 s, in which failures do not count
    '--health-start-period',
    '1s',
  ];
  // vigil's own container fails its health check too, and is labelled for healing
  await sh(
    readmeRun(port, 'vigil-self', 'vigil-self-data', `${failing.join(' ')} -e VIGIL_BACKOFF_BASE_SECONDS=1`),
    work,
  );
  // ill first, past the image's start period, so that the medic would see it so
  await waitFor(async () => (await inspect('vigil-self')).State.Health?.Status === 'unhealthy', {
    what: "vigil's own container unhealthy",
    timeoutMs: 60_000,
    intervalMs: 500,
  });
  const self = await inspect('vigil-self');
  await runContainer(unwell, failing, ['sleep', '3600']);
  const unwellStart = (await inspect(unwell)).State.StartedAt;
  await waitFor(async () => (await inspect(unwell)).State.StartedAt !== unwellStart, {
    what: 'the medic to restart the unhealthy container',
    timeoutMs: 60_000,
    intervalMs: 500,
  });
  const after = await inspect('vigil-self');
  const logs = await exec('docker', ['-H', engine.host, 'logs', '--tail', '40', 'vigil-self']).then(
    (r) => r.stdout + r.stderr,
    () => '',
  );
  t.is(after.State.StartedAt, self.State.StartedAt, `vigil's own container never restarted:\n${logs}`);
  t.is(after.RestartCount, 0);
  t.true(after.State.Running);
  t.is(after.State.Health?.Status, 'unhealthy', 'though it was ill');
  await docker(['rm', '-f', 'vigil-self', unwell]);
});
