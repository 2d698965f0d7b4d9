/**
 * Medic benchmark: a container labelled for autoheal crashes on request; the time from its death to
 * its running again (vigil's first restart, found through the engine's own die and start events) is
 * measured over N crashes. The backoff reset is shortened so that every crash meets a first restart.
 * Prints median and p99 and writes them to bench/results/; asserts nothing.
 *
 *   npm run bench:medic            # 20 crashes
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../test/helpers/net.js';
import { spawnBuiltVigil } from './lib/vigil.js';
import { benchEngine, writeResults } from './lib/bench-engine.js';

const { dockerHost, image, docker } = benchEngine('bench:medic');
const crashes = Number(process.env.BENCH_CRASHES ?? 20);
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

const port = await freePort();
const vigil = spawnBuiltVigil(
  {
    VIGIL_LISTEN: `127.0.0.1:${port}`,
    VIGIL_LOG_LEVEL: 'warn',
    VIGIL_DATA_DIR: mkdtempSync(join(tmpdir(), 'vigil-bench-')),
    VIGIL_BOOT_GRACE_SECONDS: '0',
    VIGIL_BACKOFF_RESET_SECONDS: '1',
    VIGIL_RECOVERY_MAX_ATTEMPTS: '1000',
  },
  'inherit',
);
const url = `http://127.0.0.1:${port}`;
while (
  !(await fetch(`${url}/health/ready`).then(
    async (r) => ((await r.json()) as { status: string }).status === 'ok',
    () => false,
  ))
)
  await new Promise((r) => setTimeout(r, 200));

const name = `bench-crash-${Date.now()}`;
const id = (
  await docker([
    'run',
    '-d',
    '--name',
    name,
    '--network',
    'none',
    '--label',
    'vigil.autoheal=true',
    image,
    'sh',
    '-c',
    'rm -f /tmp/crash; while [ ! -f /tmp/crash ]; do sleep 0.05; done; exit 1',
  ])
).stdout.trim();

// the engine's own clock: die and start events of this container
const events = spawn('docker', [
  '-H',
  dockerHost,
  'events',
  '--filter',
  `container=${id}`,
  '--filter',
  'event=die',
  '--filter',
  'event=start',
  '--format',
  '{{.TimeNano}} {{.Action}}',
]);
const lines = createInterface({ input: events.stdout });
const pending: ((line: string) => void)[] = [];
const queued: string[] = [];
lines.on('line', (line) => (pending.length ? pending.shift()!(line) : queued.push(line)));
const nextEvent = () =>
  new Promise<string>((resolve) => (queued.length ? resolve(queued.shift()!) : pending.push(resolve)));
await new Promise((r) => setTimeout(r, 500));

const latencies: number[] = [];
for (let i = 0; i < crashes; i++) {
  await new Promise((r) => setTimeout(r, 1200)); // past the backoff reset: each crash meets a first restart
  await docker(['exec', id, 'touch', '/tmp/crash']);
  let died = 0;
  for (;;) {
    const [nano, action] = (await nextEvent()).split(' ');
    if (action === 'die') died = Number(BigInt(nano!) / 1000n) / 1000;
    else if (action === 'start' && died > 0) {
      latencies.push(Number(BigInt(nano!) / 1000n) / 1000 - died);
      break;
    }
  }
}
events.kill();
await vigil.stopGroup('SIGTERM');
await docker(['rm', '-f', id]);

const out = {
  benchmark: 'medic',
  at: new Date().toISOString(),
  crashes,
  crashToRunningMs: {
    median: Math.round(percentile(latencies, 50)),
    p99: Math.round(percentile(latencies, 99)),
    max: Math.round(Math.max(...latencies)),
  },
  samplesMs: latencies.map(Math.round),
  target: { firstRestartMs: 2000 },
};
console.log(
  `crash → running again (engine die → start), ${crashes} crashes: median ${out.crashToRunningMs.median} ms, p99 ${out.crashToRunningMs.p99} ms, max ${out.crashToRunningMs.max} ms`,
);
console.log(`written to ${writeResults('medic', out.at, out)}`);
process.exit(0);
