/**
 * `npm run demo`: vigil on a private Docker engine with sample containers, on a fresh machine, in one
 * command. Starts the engine (scripts/test-engine.sh: its own socket and data root under .demo/, no
 * networking), six containers that show what vigil sees and does, and vigil itself; prints where to
 * look. Ctrl-C (or VIGIL_DEMO_SECONDS) stops vigil and removes the containers and the engine.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const repo = fileURLToPath(new URL('../', import.meta.url));
const dir = join(repo, '.demo');
const engineScript = join(repo, 'scripts/test-engine.sh');
const port = process.env.VIGIL_DEMO_PORT ?? '9323';
const image = 'vigil-test:latest';
const env = { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` };
const host = `unix://${dir}/engine/docker.sock`;
const docker = (args: string[]) => exec('docker', ['-H', host, ...args], { env });

/** name, docker run options, command: each shows one thing vigil does. */
const samples: [string, string[], string[]][] = [
  // a healthy web server (busybox httpd, checked over the container's own loopback)
  [
    'web',
    ['--health-cmd', 'wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1', '--health-interval', '5s'],
    ['sh', '-c', 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www'],
  ],
  // healthy for 40 s, unhealthy for 40 s, and so on
  [
    'flaky',
    ['--health-cmd', 'test -f /tmp/ok', '--health-interval', '3s', '--health-retries', '2'],
    [
      'sh',
      '-c',
      'while :; do if [ $(( $(date +%s) / 40 % 2 )) -eq 0 ]; then touch /tmp/ok; else rm -f /tmp/ok; fi; sleep 1; done',
    ],
  ],
  // crashes 8 s after each start; labelled, so vigil restarts it with growing delays and then gives up
  ['crashloop', ['--label', 'vigil.autoheal=true'], ['sh', '-c', 'echo starting; sleep 8; echo oops >&2; exit 1']],
  // half a core, spinning
  ['cpu-hog', ['--cpus', '0.5'], ['sh', '-c', 'while :; do :; done']],
  // 56 MiB of its 64 MiB held in a tmpfs, which the memory cgroup counts
  [
    'mem-near-limit',
    ['--memory', '64m', '--tmpfs', '/fill:size=100m'],
    ['sh', '-c', 'dd if=/dev/zero of=/fill/block bs=1M count=56 2>/dev/null; exec sleep 2147483647'],
  ],
  // an agent container with the forge.* labels the dashboards group by
  [
    'agent',
    [
      '--label',
      'forge.agent.type=ideation',
      '--label',
      'forge.project.id=demo-project',
      '--label',
      'vigil.autoheal=true',
    ],
    ['sh', '-c', 'while :; do echo "thinking about step $RANDOM"; sleep 2; done'],
  ],
];

async function cleanUp(): Promise<void> {
  await docker(['rm', '-f', ...samples.map(([name]) => name)]).catch(() => undefined);
  await exec('bash', [engineScript, 'down', join(dir, 'engine')], { env }).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

// a demo killed earlier may have left its engine
await cleanUp();
mkdirSync(dir, { recursive: true });
console.log('demo: starting a private Docker engine (installs docker.io and busybox-static if missing)…');
await exec('bash', [engineScript, 'up', join(dir, 'engine')], { env });
for (const [name, options, command] of samples) {
  await docker([
    'run',
    '-d',
    '--name',
    name,
    '--network',
    'none',
    '--stop-timeout',
    '2',
    ...options,
    image,
    ...command,
  ]);
}
console.log(`demo: ${samples.length} sample containers running: ${samples.map(([n]) => n).join(', ')}`);

const vigil = spawn(process.execPath, ['--import', 'tsx', join(repo, 'src/main.ts')], {
  cwd: repo,
  env: {
    ...env,
    DOCKER_HOST: host,
    VIGIL_LISTEN: `127.0.0.1:${port}`,
    VIGIL_DATA_DIR: join(dir, 'data'),
    VIGIL_SAMPLE_INTERVAL_SECONDS: '2',
    VIGIL_BACKOFF_BASE_SECONDS: '2',
    VIGIL_LOG_LEVEL: process.env.VIGIL_LOG_LEVEL ?? 'warn',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const base = `http://127.0.0.1:${port}`;
for (let i = 0; i < 100; i++) {
  const ready = await fetch(`${base}/health/ready`).then(
    async (r) => ((await r.json()) as { status: string }).status === 'ok',
    () => false,
  );
  if (ready) break;
  await new Promise((r) => setTimeout(r, 200));
}
console.log(`
demo: vigil is watching them at ${base}
  ${base}/api/v1/containers/health   every container's health, JSON
  ${base}/api/v1/events              what happens, live (SSE); /api/v1/ws for WebSocket
  ${base}/metrics                    what Prometheus scrapes
  ${base}/api/v1/history/crashloop   what the medic did about the crash-looper, and why
Ctrl-C stops vigil and removes the containers and the engine.
`);

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\ndemo: stopping vigil, removing the containers and the engine…');
  if (vigil.exitCode === null) {
    const exited = new Promise((r) => vigil.once('exit', r));
    vigil.kill('SIGTERM');
    await exited;
  }
  await cleanUp();
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
vigil.once('exit', (code) => void stop(code ?? 1));
const seconds = Number(process.env.VIGIL_DEMO_SECONDS ?? 0);
if (seconds > 0) setTimeout(() => void stop(0), seconds * 1000);
