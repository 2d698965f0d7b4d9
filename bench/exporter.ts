/**
 * Exporter benchmark: starts N containers in the test engine (some burning a little CPU, some with
 * health checks) and measures, for each N:
 *   - /metrics latency p50/p99 under load (wrk, one connection scraping back to back), from vigil
 *     running as its own process with the node flags of `npm start`
 *   - one sampling sweep per stats source: wall time, and CPU per container of vigil and of the engine
 *     (dockerd + containerd, read from /proc), over several sweeps
 *   - vigil's resident memory
 *   - `docker stats --no-stream` on the same containers, as the baseline
 * It prints figures and writes them to bench/results/; it asserts nothing.
 *
 *   npm run bench                     # sizes 50 and 200
 *   BENCH_SIZES=20 npm run bench      # a quick run
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import pLimit from 'p-limit';
import { parseConfig } from '../src/load-config.js';
import { DockerodeEngine } from '../src/docker/engine.js';
import { EngineEvents } from '../src/docker/events.js';
import { Inventory } from '../src/docker/inventory.js';
import { ApiStatsSource } from '../src/docker/stats/api.js';
import { CgroupStatsSource } from '../src/docker/stats/cgroup.js';
import type { StatsSource } from '../src/docker/stats/source.js';
import { Sampler } from '../src/sampler.js';
import { freePort } from '../test/helpers/net.js';

const exec = promisify(execFile);
const repo = fileURLToPath(new URL('../', import.meta.url));
const dockerHost = process.env.DOCKER_HOST;
if (!dockerHost?.startsWith('unix://')) throw new Error('run through `npm run bench`, which starts the test engine');
const engineDir = process.env.VIGIL_TEST_ENGINE_DIR!;
const image = process.env.VIGIL_TEST_IMAGE ?? 'vigil-test:latest';
const sizes = (process.env.BENCH_SIZES ?? '50,200').split(',').map(Number);
const sweeps = Number(process.env.BENCH_SWEEPS ?? 10);
// the engine answers each one-shot stats call at its collector's next 1 s tick, so API sweeps are slow
const apiSweeps = Number(process.env.BENCH_API_SWEEPS ?? 3);
const loadSeconds = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
const docker = (args: string[]) => exec('docker', ['-H', dockerHost, ...args], { maxBuffer: 64 * 1024 * 1024 });

const CLK_TCK = 100;
/** utime + stime of a process and its children that are still alive, in seconds. */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}
function engineCpuSeconds(): number {
  const dockerd = Number(readFileSync(`${engineDir}/docker.pid`, 'utf8'));
  const containerd = readFileSync(`/proc/${dockerd}/task/${dockerd}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .filter((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'containerd');
  return cpuSecondsOf(dockerd) + containerd.reduce((sum, pid) => sum + cpuSecondsOf(pid), 0);
}
function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) * 1024;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (n: number, digits = 3) => Number(n.toFixed(digits));

async function ensureContainers(n: number): Promise<void> {
  const existing = (await docker(['ps', '-q', '--filter', 'label=vigil.bench=1'])).stdout
    .split('\n')
    .filter(Boolean).length;
  const limit = pLimit(6);
  await Promise.all(
    Array.from({ length: n - existing }, (_, k) => existing + k).map((i) =>
      limit(() => {
        const args = [
          'run',
          '-d',
          '--network',
          'none',
          '--label',
          'vigil.bench=1',
          '--label',
          `forge.agent.type=bench-${i % 5}`,
        ];
        // 10 busy loops held to 2 % of a core each: load for the engine, not a fight for the two cores
        if (i % 20 === 0) return docker([...args, '--cpus', '0.02', image, 'sh', '-c', 'while :; do :; done']);
        if (i % 10 === 1)
          return docker([...args, '--health-cmd', 'true', '--health-interval', '5s', image, 'sleep', '1000000']);
        return docker([...args, image, 'sleep', '1000000']);
      }),
    ),
  );
}

async function measureSweeps(inventory: Inventory, source: StatsSource, containers: number, sweeps: number) {
  const sampler = new Sampler(inventory, [source], pino({ level: 'silent' }), 60_000);
  await sampler.sweep(); // warm: path resolution, connections
  const walls: number[] = [];
  const cpu0 = process.cpuUsage();
  const engine0 = engineCpuSeconds();
  for (let i = 0; i < sweeps; i++) {
    const report = await sampler.sweep();
    walls.push(report.wallSeconds);
  }
  const cpu = process.cpuUsage(cpu0);
  const vigilCpu = (cpu.user + cpu.system) / 1e6 / sweeps;
  const engineCpu = (engineCpuSeconds() - engine0) / sweeps;
  return {
    source: source.name,
    sweepWallMsMedian: round(median(walls) * 1000, 2),
    sweepWallMsMax: round(Math.max(...walls) * 1000, 2),
    vigilCpuMsPerContainer: round((vigilCpu * 1000) / containers, 4),
    engineCpuMsPerContainer: round((engineCpu * 1000) / containers, 4),
    totalCpuMsPerContainer: round(((vigilCpu + engineCpu) * 1000) / containers, 4),
  };
}

/** wrk's --latency report: percentiles with their units, the request rate, errors. */
function parseWrk(text: string) {
  const ms = (value: string, unit: string) =>
    Number(value) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 } as Record<string, number>)[unit]!;
  const percentile = (p: string) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(text);
    return m ? round(ms(m[1]!, m[2]!), 2) : NaN;
  };
  const max = /^\s*Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)/m.exec(text);
  return {
    requests: Number(/(\d+) requests in/.exec(text)?.[1] ?? NaN),
    requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN),
    latencyMsP50: percentile('50'),
    latencyMsP99: percentile('99'),
    latencyMsMax: max ? round(ms(max[1]!, max[2]!), 2) : NaN,
    errors:
      Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0) +
      Number(/Socket errors: .*?(\d+)/.exec(text)?.[1] ?? 0),
  };
}

async function measureScrapes(containers: number) {
  const port = await freePort();
  // the node flags `npm start` uses (they bound the young generation, which is most of the RSS)
  const startScript = (JSON.parse(readFileSync(`${repo}package.json`, 'utf8')) as { scripts: { start: string } })
    .scripts.start;
  const nodeArgs = startScript.split(/\s+/).slice(1);
  const child = spawn(
    process.execPath,
    nodeArgs.map((a) => (a.startsWith('dist/') ? `${repo}${a}` : a)),
    {
      env: {
        ...process.env,
        VIGIL_LISTEN: `127.0.0.1:${port}`,
        VIGIL_LOG_LEVEL: 'warn',
        VIGIL_SAMPLE_INTERVAL_SECONDS: '5',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  try {
    const url = `http://127.0.0.1:${port}`;
    for (;;) {
      const ok = await fetch(`${url}/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      const text = ok ? await (await fetch(`${url}/metrics`)).text() : '';
      if ((text.match(/^docker_container_cpu_usage_seconds_total\{/gm) ?? []).length >= containers) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const body = await (await fetch(`${url}/metrics`)).text();
    // one connection, scrape after scrape: the latency of each scrape, not of a queue of them; wrk is
    // native, so the load generator takes little of the two cores from vigil
    const { stdout } = await exec('wrk', ['-t1', '-c1', `-d${loadSeconds}s`, '--latency', `${url}/metrics`]);
    const wrk = parseWrk(stdout);
    return {
      scrapeBytes: body.length,
      scrapeSeries: body.split('\n').filter((l) => l && !l.startsWith('#')).length,
      ...wrk,
      vigilRssMB: round(rssBytes(child.pid!) / 1024 / 1024, 1),
    };
  } finally {
    child.kill('SIGTERM');
  }
}

async function measureDockerStats(containers: number) {
  const engine0 = engineCpuSeconds();
  const t0 = process.hrtime.bigint();
  const ids = (await docker(['ps', '-q', '--filter', 'label=vigil.bench=1'])).stdout.split('\n').filter(Boolean);
  await docker(['stats', '--no-stream', ...ids]);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    wallMs: round(wall * 1000, 1),
    engineCpuMsPerContainer: round(((engineCpuSeconds() - engine0) * 1000) / containers, 4),
  };
}

const logger = pino({ level: 'warn' });
await exec('npm', ['run', 'build'], { cwd: repo });
const config = parseConfig({ DOCKER_HOST: dockerHost });
const engine = new DockerodeEngine(config.dockerHost);
const events = new EngineEvents(engine, logger);
const inventory = new Inventory(engine, events, logger);
events.start();
const info = await engine.info();

const results: unknown[] = [];
for (const n of sizes) {
  console.log(`\n== ${n} containers`);
  await ensureContainers(n);
  await inventory.resync();
  await new Promise((r) => setTimeout(r, 2000)); // let health checks and burners settle
  const running = inventory.all().filter((e) => e.record.state === 'running').length;
  const cgroup = await measureSweeps(
    inventory,
    new CgroupStatsSource(config.cgroupRoot, config.procRoot),
    running,
    sweeps,
  );
  const api = await measureSweeps(
    inventory,
    new ApiStatsSource(engine, () => info.memTotalBytes, config.apiStatsConcurrency),
    running,
    apiSweeps,
  );
  const scrape = await measureScrapes(running);
  const baseline = await measureDockerStats(running);
  const row = { containers: running, sweep: { cgroup, api }, metrics: scrape, dockerStatsNoStream: baseline };
  results.push(row);
  console.log(
    `sampling sweep, cgroup: ${cgroup.sweepWallMsMedian} ms wall (max ${cgroup.sweepWallMsMax}), CPU/container vigil ${cgroup.vigilCpuMsPerContainer} ms + engine ${cgroup.engineCpuMsPerContainer} ms = ${cgroup.totalCpuMsPerContainer} ms`,
  );
  console.log(
    `sampling sweep, api:    ${api.sweepWallMsMedian} ms wall (max ${api.sweepWallMsMax}), CPU/container vigil ${api.vigilCpuMsPerContainer} ms + engine ${api.engineCpuMsPerContainer} ms = ${api.totalCpuMsPerContainer} ms`,
  );
  console.log(
    `/metrics under load:    p50 ${scrape.latencyMsP50} ms, p99 ${scrape.latencyMsP99} ms, max ${scrape.latencyMsMax} ms, ${scrape.requestsPerSecond} req/s, ${scrape.scrapeSeries} series, ${scrape.errors} errors`,
  );
  console.log(`vigil RSS:              ${scrape.vigilRssMB} MB`);
  console.log(
    `docker stats --no-stream: ${baseline.wallMs} ms wall, engine CPU/container ${baseline.engineCpuMsPerContainer} ms`,
  );
}

await events.stop();
const out = {
  benchmark: 'exporter',
  at: new Date().toISOString(),
  machine: {
    cpus: info.cpus,
    memTotalBytes: info.memTotalBytes,
    engine: info.serverVersion,
    cgroupVersion: info.cgroupVersion,
  },
  targets: { metricsP99Ms: 10, cgroupSweepWallMs: 50, cpuMsPerContainer: 0.15, rssMB: 100, at: 200 },
  results,
};
mkdirSync(`${repo}bench/results`, { recursive: true });
const file = `${repo}bench/results/exporter-${out.at.replace(/[:.]/g, '-')}.json`;
writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
writeFileSync(`${repo}bench/results/exporter-latest.json`, `${JSON.stringify(out, null, 2)}\n`);
console.log(`\nwritten to ${file}`);
const dockerIds = (await docker(['ps', '-aq', '--filter', 'label=vigil.bench=1'])).stdout.split('\n').filter(Boolean);
if (dockerIds.length) await docker(['rm', '-f', ...dockerIds]);
process.exit(0);
