/**
 * `npm run demo`: vigil on a private Docker engine with sample containers, on a fresh machine, in one
 * command. Starts the engine (scripts/test-engine.sh: its own socket and data root under .demo/, no
 * networking), then vigil, then the containers — vigil watches them from their first start, so it
 * sees every crash — and prints where to look. Within a minute the page's feed and the history show
 * the medic at work: the crash-looper restarted with its reason and given up on after three tries, a
 * container a person stopped left alone, a sidecar restarted after its owner came back.
 * Ctrl-C, SIGTERM (or VIGIL_DEMO_SECONDS) stops vigil and removes the containers and the engine.
 * One demo per directory (VIGIL_DEMO_DIR, .demo/ by default): a second refuses, since its first step,
 * the cleanup of a demo killed earlier, would take the running one's engine away.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const repo = fileURLToPath(new URL('../', import.meta.url));
const dir = process.env.VIGIL_DEMO_DIR ?? join(repo, '.demo');
const pidFile = join(dir, 'demo.pid');
const engineScript = join(repo, 'scripts/test-engine.sh');
const port = process.env.VIGIL_DEMO_PORT ?? '9323';
const image = 'vigil-test:latest';
const env = { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` };
const host = `unix://${dir}/engine/docker.sock`;
const docker = (args: string[], timeoutMs?: number) =>
  exec('docker', ['-H', host, ...args], { env, timeout: timeoutMs });
const say = (line: string) => console.log(`demo: ${line}`);

interface Sample {
  name: string;
  /** What a newcomer should see it do. */
  shows: string;
  options: string[];
  command: string[];
  /** `container:<name>` for a sidecar; no network otherwise. */
  network?: string;
}

const samples: Sample[] = [
  {
    name: 'web',
    shows: 'healthy: busybox httpd, checked over its own loopback',
    options: ['--health-cmd', 'wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1', '--health-interval', '5s'],
    command: ['sh', '-c', 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www'],
  },
  {
    name: 'flaky',
    shows: 'healthy for 40 s, unhealthy for 40 s (its HEALTHCHECK)',
    options: ['--health-cmd', 'test -f /tmp/ok', '--health-interval', '3s', '--health-retries', '2'],
    command: [
      'sh',
      '-c',
      'while :; do if [ $(( $(date +%s) / 40 % 2 )) -eq 0 ]; then touch /tmp/ok; else rm -f /tmp/ok; fi; sleep 1; done',
    ],
  },
  {
    name: 'crashloop',
    shows: 'crashes 2 s after each start: vigil restarts it (1 s, 2 s, 4 s apart), then gives up after 3 tries',
    options: ['--label', 'vigil.autoheal=true'],
    command: ['sh', '-c', 'echo starting; sleep 2; echo "oops: cannot open /data/state" >&2; exit 1'],
  },
  {
    name: 'worker',
    shows: 'labelled for the medic, then stopped by "a person" (the demo, with docker stop): vigil leaves it stopped',
    options: ['--label', 'vigil.autoheal=true'],
    command: ['sleep', '2147483647'],
  },
  {
    name: 'db',
    shows: 'crashes once, 4 s after it starts; vigil restarts it',
    options: ['--label', 'vigil.autoheal=true'],
    command: [
      'sh',
      '-c',
      'if [ -f /crashed-once ]; then exec sleep 2147483647; fi; touch /crashed-once; sleep 4; echo "db: lost its disk" >&2; exit 2',
    ],
  },
  {
    name: 'db-sidecar',
    shows: "lives in db's network namespace: restarted after db comes back, to join its new one",
    options: ['--label', 'vigil.autoheal=true'],
    command: ['sleep', '2147483647'],
    network: 'container:db',
  },
  {
    name: 'cpu-hog',
    shows: 'half a core, spinning',
    options: ['--cpus', '0.5'],
    command: ['sh', '-c', 'while :; do :; done'],
  },
  {
    name: 'mem-near-limit',
    shows: '56 MiB of its 64 MiB limit held in a tmpfs, which the memory cgroup counts',
    options: ['--memory', '64m', '--tmpfs', '/fill:size=100m'],
    command: ['sh', '-c', 'dd if=/dev/zero of=/fill/block bs=1M count=56 2>/dev/null; exec sleep 2147483647'],
  },
  {
    name: 'agent',
    shows: 'an agent with the forge.* labels the dashboards group by',
    options: ['--label', 'forge.agent.type=ideation', '--label', 'forge.project.id=demo-project'],
    command: ['sh', '-c', 'while :; do echo "thinking about step $RANDOM"; sleep 2; done'],
  },
];

/** Processes whose command line names the demo's directory: the engine, its containerd and shims. */
function leftovers(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir)) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** The pid of a demo alive in this dir, or null (none, or one killed without its cleanup). */
function runningDemo(): number | null {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    // a pid reused by another process since is no demo; one gone has no /proc entry
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('demo') ? pid : null;
  } catch {
    return null;
  }
}

/** Runs one step of the cleanup, and says so when it was slow: a Ctrl-C that takes long says where. */
async function step(what: string, run: () => Promise<unknown>): Promise<void> {
  const began = Date.now();
  await run().catch((err: unknown) => say(`${what} failed: ${(err as Error).message.split('\n')[0]}`));
  const seconds = (Date.now() - began) / 1000;
  if (seconds > 5) say(`${what} took ${seconds.toFixed(1)} s`);
}

async function cleanUp(): Promise<void> {
  // bounded: an engine too slow to answer is stopped below anyway, containers and all
  await step('removing the containers', () => docker(['rm', '-f', ...samples.map((s) => s.name)], 30_000));
  await step('stopping the engine', () => exec('bash', [engineScript, 'down', join(dir, 'engine')], { env }));
  // the engine stops its shims as it goes down; one that outlived it would keep a container's processes
  for (const pid of leftovers()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

let vigil: ChildProcess | null = null;
let stopping: Promise<void> | null = null;
const timers: NodeJS.Timeout[] = [];

function stop(code: number): Promise<void> {
  stopping ??= (async () => {
    timers.forEach(clearTimeout);
    console.log('\ndemo: stopping vigil, removing the containers and the engine…');
    if (vigil && vigil.exitCode === null && vigil.signalCode === null) {
      const running = vigil;
      const exited = new Promise((r) => running.once('exit', r));
      running.kill('SIGTERM');
      // vigil gives itself 10 s to shut down; past 15, it is not coming back on its own
      await step('stopping vigil', () =>
        Promise.race([
          exited,
          new Promise((r) => setTimeout(r, 15_000)).then(() => {
            if (running.exitCode === null && running.signalCode === null) running.kill('SIGKILL');
            return exited;
          }),
        ]),
      );
    }
    await cleanUp();
    const left = leftovers();
    say(left.length === 0 ? 'all gone: no engine, no containers, no shims' : `processes left: ${left.join(', ')}`);
    process.exit(code);
  })();
  return stopping;
}
// from the first moment: a Ctrl-C while the engine is starting cleans up too
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

const running = runningDemo();
if (running !== null) {
  say(`another demo (pid ${running}) runs in ${dir}: stop it first (Ctrl-C in its terminal), or set VIGIL_DEMO_DIR`);
  process.exit(1);
}
// a demo killed earlier may have left its engine
await cleanUp();
mkdirSync(dir, { recursive: true });
writeFileSync(pidFile, String(process.pid));
say('starting a private Docker engine (installs docker.io and busybox-static if missing)…');
await exec('bash', [engineScript, 'up', join(dir, 'engine')], { env });

// vigil first: it sees each container's first start, and so knows that a crash is not a wish
vigil = spawn(process.execPath, ['--import', 'tsx', join(repo, 'src/main.ts')], {
  cwd: repo,
  env: {
    ...env,
    DOCKER_HOST: host,
    VIGIL_LISTEN: `127.0.0.1:${port}`,
    VIGIL_DATA_DIR: join(dir, 'data'),
    VIGIL_SAMPLE_INTERVAL_SECONDS: '2',
    VIGIL_BACKOFF_BASE_SECONDS: '1',
    VIGIL_RECOVERY_MAX_ATTEMPTS: '3',
    VIGIL_BOOT_GRACE_SECONDS: '1',
    VIGIL_LOG_LEVEL: process.env.VIGIL_LOG_LEVEL ?? 'warn',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
vigil.once('exit', (code) => void stop(code ?? 1));
const base = `http://127.0.0.1:${port}`;
const readyBy = Date.now() + 120_000;
while (
  !(await fetch(`${base}/health/ready`).then(
    async (r) => ((await r.json()) as { status: string }).status === 'ok',
    () => false,
  ))
) {
  if (Date.now() > readyBy) {
    say(`vigil did not become ready at ${base} within 120 s`);
    await stop(1);
  }
  await new Promise((r) => setTimeout(r, 200));
}

for (const s of samples) {
  const network = s.network ?? 'none';
  await docker([
    'run',
    '-d',
    '--name',
    s.name,
    '--network',
    network,
    '--stop-timeout',
    '2',
    ...s.options,
    image,
    ...s.command,
  ]);
}
const width = Math.max(...samples.map((s) => s.name.length));
console.log(`
demo: vigil is watching ${samples.length} containers at ${base}
${samples.map((s) => `  ${s.name.padEnd(width)}  ${s.shows}`).join('\n')}

  ${base}/                           the page: the live feed shows the medic at work within a minute
  ${base}/api/v1/history/crashloop   what the medic did about the crash-looper, and why
  ${base}/api/v1/history/worker      the stop it was told of, and that it left it alone
  ${base}/api/v1/containers/health   every container's health, JSON
  ${base}/metrics                    what Prometheus scrapes
  docker -H ${host} ps -a            the demo's engine (the host's own docker does not see it)
Ctrl-C stops vigil and removes the containers and the engine.
`);

// a person's stop, a few seconds in: the medic must tell it from a crash and leave it stopped
timers.push(
  setTimeout(() => {
    say('docker stop worker (as a person would): vigil records the wish and leaves it stopped');
    docker(['stop', 'worker']).catch((err: Error) => say(`docker stop worker failed: ${err.message}`));
  }, 5_000),
);
const seconds = Number(process.env.VIGIL_DEMO_SECONDS ?? 0);
if (seconds > 0) timers.push(setTimeout(() => void stop(0), seconds * 1000));
