/**
 * Log streaming benchmark, in two parts; prints figures and writes them to bench/results/, asserts nothing.
 *
 * Burst: a container writes N lines in a burst once told to; the time from the trigger to the first
 * line, and the lines per second until the last, are measured through vigil's SSE endpoint and through
 * `docker logs -f` on the same kind of container, each in a run of its own.
 *
 * Fan-out: 50 followers of one container writing 1,000 lines a second (50 at a time)
 * for 30 s: each follower's lag behind the engine's timestamp of each line (max and p95), whether it
 * got every line in order, and any follower cut with the reason vigil gave.
 *
 *   npm run bench:logs                 # 50 000 lines, 3 runs each; then the fan-out
 *   BENCH_LOG_LINES=10000 BENCH_FANOUT_FOLLOWERS=50 BENCH_FANOUT_SECONDS=30 npm run bench:logs
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { freePort } from '../test/helpers/net.js';
import { spawnBuiltVigil } from './lib/vigil.js';
import { follow, linesAtRate } from './lib/log-follower.js';
import { cpuSecondsOf } from './lib/proc.js';
import { benchEngine, writeResults } from './lib/bench-engine.js';

const { dockerHost, image, docker } = benchEngine('bench:logs');
const lines = Number(process.env.BENCH_LOG_LINES ?? 50_000);
const runs = Number(process.env.BENCH_LOG_RUNS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fanOutFollowers = Number(process.env.BENCH_FANOUT_FOLLOWERS ?? 50);
const fanOutSeconds = Number(process.env.BENCH_FANOUT_SECONDS ?? 30);
const fanOutRate = 1000;

interface Run {
  firstLineMs: number;
  linesPerSecond: number;
}

async function burstContainer(): Promise<string> {
  const { stdout } = await docker([
    'run',
    '-d',
    '--network',
    'none',
    image,
    'sh',
    '-c',
    `while [ ! -f /tmp/go ]; do sleep 0.02; done; seq 1 ${lines}; exec sleep 100000`,
  ]);
  return stdout.trim();
}

/** Counts lines from a byte stream until the last one; resolves the timings from the trigger. */
function measure(onData: (cb: (newlines: number) => void) => void, trigger: () => Promise<number>): Promise<Run> {
  return new Promise((resolve) => {
    let t0 = 0;
    let first = 0;
    let seen = 0;
    onData((n) => {
      if (n === 0) return;
      const now = performance.now();
      if (first === 0) first = now;
      seen += n;
      if (seen >= lines)
        resolve({ firstLineMs: first - t0, linesPerSecond: Math.round(lines / ((now - first) / 1000)) });
    });
    void trigger().then((t) => (t0 = t));
  });
}

const trigger = (id: string) => async () => {
  const t = performance.now();
  await docker(['exec', id, 'touch', '/tmp/go']);
  return t;
};

async function viaVigil(url: string): Promise<Run> {
  const id = await burstContainer();
  await new Promise((r) => setTimeout(r, 1500)); // vigil's inventory sees it
  let req: ReturnType<typeof get> | undefined;
  const run = await measure((cb) => {
    req = get(`${url}/api/v1/containers/${id}/logs?tail=0&follow=true`, { agent: false }, (res) => {
      res.on('data', (chunk: Buffer) => cb(chunk.toString('latin1').split('event: log').length - 1));
    });
  }, trigger(id));
  req?.destroy();
  await docker(['rm', '-f', id]);
  return run;
}

async function viaDockerLogs(): Promise<Run> {
  const id = await burstContainer();
  const child = spawn('docker', ['-H', dockerHost, 'logs', '-f', '--tail', '0', id], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise((r) => setTimeout(r, 500));
  const run = await measure(
    (cb) => child.stdout.on('data', (chunk: Buffer) => cb(chunk.toString('latin1').split('\n').length - 1)),
    trigger(id),
  );
  child.kill();
  await docker(['rm', '-f', id]);
  return run;
}

async function fanOut(url: string, vigil: ChildProcess) {
  const { stdout } = await docker(['run', '-d', '--network', 'none', image, ...linesAtRate(fanOutRate)]);
  const id = stdout.trim();
  await new Promise((r) => setTimeout(r, 1500)); // vigil's inventory sees it
  const followers = Array.from({ length: fanOutFollowers }, () => follow(url, id));
  const cpu0 = { vigil: cpuSecondsOf(vigil.pid!), bench: process.cpuUsage() };
  const written0 = Number((await docker(['logs', '--tail', '1', id])).stdout.match(/fan-(\d+)/)?.[1] ?? 0);
  await new Promise((r) => setTimeout(r, fanOutSeconds * 1000));
  const written1 = Number((await docker(['logs', '--tail', '1', id])).stdout.match(/fan-(\d+)/)?.[1] ?? 0);
  const cpu = {
    vigilPercentOfACore: Math.round(((cpuSecondsOf(vigil.pid!) - cpu0.vigil) / fanOutSeconds) * 100),
    followersPercentOfACore: Math.round(
      ((process.cpuUsage(cpu0.bench).user + process.cpuUsage(cpu0.bench).system) / 1e6 / fanOutSeconds) * 100,
    ),
  };
  const figures = followers.map((f) => f.figures());
  for (const f of followers) f.close();
  await docker(['rm', '-f', id]);
  const lagsMax = figures.map((f) => f.lagMaxMs).sort((a, b) => a - b);
  const lagsP95 = figures.map((f) => f.lagP95Ms).sort((a, b) => a - b);
  return {
    followers: fanOutFollowers,
    seconds: fanOutSeconds,
    linesPerSecondWritten: Math.round((written1 - written0) / fanOutSeconds),
    keptUp: figures.filter((f) => f.end === null && f.inOrder).length,
    cut: figures.filter((f) => f.end !== null).map((f) => f.end),
    outOfOrder: figures.filter((f) => !f.inOrder).length,
    linesPerFollowerMin: Math.min(...figures.map((f) => f.lines)),
    lagMaxMs: { worstFollower: lagsMax.at(-1) ?? 0, medianFollower: median(lagsMax) },
    lagP95Ms: { worstFollower: lagsP95.at(-1) ?? 0, medianFollower: median(lagsP95) },
    cpu,
    perFollower: figures,
  };
}

const port = await freePort();
const vigil = spawnBuiltVigil(
  {
    VIGIL_LISTEN: `127.0.0.1:${port}`,
    VIGIL_LOG_LEVEL: 'warn',
    // the fan-out's followers all come from 127.0.0.1
    VIGIL_STREAMS_PER_CLIENT: String(fanOutFollowers + 8),
    VIGIL_STREAMS_MAX: String(fanOutFollowers + 64),
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

const sse: Run[] = [];
const cli: Run[] = [];
for (let i = 0; i < runs; i++) {
  sse.push(await viaVigil(url));
  cli.push(await viaDockerLogs());
}
const fan = await fanOut(url, vigil);
await vigil.stopGroup('SIGTERM');

const summary = (rs: Run[]) => ({
  firstLineMsMedian: Math.round(median(rs.map((r) => r.firstLineMs))),
  linesPerSecondMedian: median(rs.map((r) => r.linesPerSecond)),
  runs: rs,
});
const out = {
  benchmark: 'logs',
  at: new Date().toISOString(),
  lines,
  vigilSse: summary(sse),
  dockerLogsFollow: summary(cli),
  fanOut: fan,
};
console.log(
  `${lines} lines in a burst, median of ${runs} runs (time to first line counts from the docker exec that triggers the burst):`,
);
console.log(
  `  vigil SSE:        first line ${out.vigilSse.firstLineMsMedian} ms, ${out.vigilSse.linesPerSecondMedian} lines/s`,
);
console.log(
  `  docker logs -f:   first line ${out.dockerLogsFollow.firstLineMsMedian} ms, ${out.dockerLogsFollow.linesPerSecondMedian} lines/s`,
);
console.log(
  `${fan.followers} followers of one container writing ${fan.linesPerSecondWritten} lines/s for ${fan.seconds} s: ` +
    `${fan.keptUp} kept up with every line in order, ${fan.cut.length} cut${fan.cut.length ? ` (${[...new Set(fan.cut)].join('; ')})` : ''}; ` +
    `lag behind the engine, max per follower: median ${fan.lagMaxMs.medianFollower} ms, worst ${fan.lagMaxMs.worstFollower} ms; ` +
    `p95 per follower: median ${fan.lagP95Ms.medianFollower} ms, worst ${fan.lagP95Ms.worstFollower} ms; ` +
    `CPU: vigil ${fan.cpu.vigilPercentOfACore} % of a core, the followers' reader ${fan.cpu.followersPercentOfACore} %`,
);
console.log(`written to ${writeResults('logs', out.at, out)}`);
process.exit(0);
