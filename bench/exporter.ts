/**
 * Exporter benchmark: for each size, N containers in the test engine (a few burning a little CPU, some
 * with health checks), and what the users of each figure get:
 *   - Prometheus-observed: Debian's Prometheus scraping vigil at the sample interval; its own
 *     scrape_duration_seconds (avg, p99, max) and scrape_samples_scraped
 *   - cold scrapes: one per sweep, the moment it ends, with Prometheus's Accept and gzip headers
 *   - warm scrapes: wrk back to back (nearly every request finds the exposition ready)
 *   - vigil's steady-state CPU per minute and RSS, as its own process with the flags of `npm start`
 *   - sampling sweeps per stats source (cgroup, api): wall time, CPU per container of vigil and engine
 *   - the resource history's writes after each sweep (the page's charts), CPU per sweep
 *   - `docker stats --no-stream` on the same containers, as the baseline
 * It prints figures and writes them to bench/results/; it asserts nothing.
 *
 *   npm run bench:exporter                          # 50, 200, 500 and 1000 containers (about 25 min)
 *   BENCH_SIZES=50,200 BENCH_STEADY_SECONDS=30 npm run bench:exporter
 *   BENCH_NODE_FLAGS='--no-opt' npm run bench:exporter   # another set of node flags, on the same machine
 */
import { rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { pino } from 'pino';
import { parseConfig } from '../src/load-config.js';
import { DockerodeEngine } from '../src/docker/engine.js';
import { EngineEvents } from '../src/docker/events.js';
import { Inventory } from '../src/docker/inventory.js';
import { ApiStatsSource } from '../src/docker/stats/api.js';
import { CgroupStatsSource } from '../src/docker/stats/cgroup.js';
import type { StatsSource } from '../src/docker/stats/source.js';
import { Sampler } from '../src/sampler.js';
import { freePort } from '../test/helpers/net.js';
import {
  busyShareBetween,
  cpuSecondsOf,
  engineCpuSeconds,
  machineSettled,
  machineTicks,
  median,
  round,
  rssMB,
} from './lib/proc.js';
import { coldScrapes, prometheusScrapes, PROMETHEUS_SCRAPE_HEADERS, staticExposition } from './lib/scrapes.js';
import { nodeFlags, startBuiltVigil } from './lib/vigil.js';
import { warmScrapes } from './lib/wrk.js';
import { floorRatios, scalingTable } from './lib/exporter-table.js';
import { measureHistoryWrites } from './lib/history-writes.js';
import { ensureBenchContainers } from './lib/bench-containers.js';
import { benchEngine, repo, writeResults } from './lib/bench-engine.js';

const { dockerHost, engineDir, image, docker } = benchEngine('bench:exporter');
const sizes = (process.env.BENCH_SIZES ?? '50,200,500,1000').split(',').map(Number);
const intervalSeconds = 5;
const sweeps = Number(process.env.BENCH_SWEEPS ?? 10);
const apiSweeps = Number(process.env.BENCH_API_SWEEPS ?? 3);
const steadySeconds = Number(process.env.BENCH_STEADY_SECONDS ?? 60);
const warmSeconds = Number(process.env.BENCH_WARM_SECONDS ?? 15);
const coldCount = Number(process.env.BENCH_COLD_SCRAPES ?? 12);
const loadSeconds = Number(process.env.BENCH_LOAD_SECONDS ?? 10);

async function measureSweeps(inventory: Inventory, source: StatsSource, containers: number, count: number) {
  const sampler = new Sampler(inventory, [source], pino({ level: 'silent' }), 60_000);
  await sampler.sweep(); // warm: path resolution, connections
  const walls: number[] = [];
  let read = 0;
  const cpu0 = process.cpuUsage();
  const engine0 = engineCpuSeconds(engineDir);
  for (let i = 0; i < count; i++) {
    const report = await sampler.sweep();
    walls.push(report.wallSeconds);
    read = report.containers - report.unread;
  }
  const cpu = process.cpuUsage(cpu0);
  const vigilCpu = (cpu.user + cpu.system) / 1e6 / count;
  const engineCpu = (engineCpuSeconds(engineDir) - engine0) / count;
  return {
    source: source.name,
    containersRead: read,
    sweepWallMsMedian: round(median(walls) * 1000, 2),
    sweepWallMsMax: round(Math.max(...walls) * 1000, 2),
    vigilCpuMsPerContainer: round((vigilCpu * 1000) / containers, 4),
    engineCpuMsPerContainer: round((engineCpu * 1000) / containers, 4),
    totalCpuMsPerContainer: round(((vigilCpu + engineCpu) * 1000) / containers, 4),
  };
}

/** vigil as users run it: steady state under Prometheus, then cold and warm scrapes. */
async function measureVigil(containers: number) {
  const port = await freePort();
  const dataDir = `${engineDir}/bench-vigil-${containers}`;
  // a fresh store, as a new user's vigil starts with: an earlier run's history would be pruned meanwhile
  rmSync(dataDir, { recursive: true, force: true });
  const env = { VIGIL_SAMPLE_INTERVAL_SECONDS: String(intervalSeconds), VIGIL_DATA_DIR: dataDir };
  const { child, url } = await startBuiltVigil(port, env, containers);
  try {
    await new Promise((r) => setTimeout(r, 2 * intervalSeconds * 1000)); // past the first sweeps' allocations
    const pid = child.pid!;
    let cpu0 = 0;
    let engine0 = 0;
    let t0 = 0;
    let machine0 = machineTicks();
    const rss: number[] = [];
    let sampleRss: NodeJS.Timeout | undefined;
    const floorPort = await freePort();
    const floor = await staticExposition(Buffer.from(await (await fetch(`${url}/metrics`)).arrayBuffer()), floorPort);
    const prometheus = await prometheusScrapes(
      `127.0.0.1:${port}`,
      `127.0.0.1:${floorPort}`,
      await freePort(),
      intervalSeconds,
      steadySeconds,
      warmSeconds,
      () => {
        cpu0 = cpuSecondsOf(pid);
        engine0 = engineCpuSeconds(engineDir);
        t0 = Date.now();
        machine0 = machineTicks();
        sampleRss = setInterval(() => rss.push(rssMB(pid)), 1000);
      },
    );
    clearInterval(sampleRss);
    const anonMB = rssMB(pid, 'RssAnon');
    floor.close();
    // CPU over the window Prometheus was measured in, scrapes included, as a user's vigil spends it
    const cpuMsPerMinute = ((cpuSecondsOf(pid) - cpu0) * 1000 * 60_000) / (Date.now() - t0);
    const engineMsPerMinute = ((engineCpuSeconds(engineDir) - engine0) * 1000 * 60_000) / (Date.now() - t0);
    // the machine's run queue over that window: figures taken under load are noisy, the ratio less so
    // (the load average also counts tasks in uninterruptible sleep: here it stays high for minutes after
    // an engine has removed its containers, with every core idle; the busy share is what the cores did)
    const loadAverage = round(loadavg()[0]!, 2);
    const machineBusyPercent = round(busyShareBetween(machine0, machineTicks()) * 100, 1);
    const cold = await coldScrapes(url, coldCount);
    const warmCpu0 = cpuSecondsOf(pid);
    const warmScrapesRun = await warmScrapes(url, loadSeconds, PROMETHEUS_SCRAPE_HEADERS);
    // vigil's CPU per scrape: what a scrape costs it, whatever the machine's load does to wall times
    // (a sweep or two falls in the window too: a few µs per scrape at wrk's rate)
    const cpuMsPerScrape = ((cpuSecondsOf(pid) - warmCpu0) * 1000) / warmScrapesRun.requests;
    const warm = { ...warmScrapesRun, vigilCpuMsPerScrape: round(cpuMsPerScrape, 3) };
    return {
      prometheus: { ...prometheus, ...floorRatios(prometheus) },
      loadAverage,
      machineBusyPercent,
      engineCpuPercentOfCore: round(engineMsPerMinute / 600, 2),
      cold,
      warm,
      cpuMsPerMinute: round(cpuMsPerMinute, 0),
      cpuPercentOfCore: round(cpuMsPerMinute / 600, 2),
      cpuMsPerMinutePerContainer: round(cpuMsPerMinute / containers, 3),
      rssMB: round(rss.at(-1) ?? rssMB(pid), 1),
      rssMBMax: round(Math.max(...rss), 1),
      rssAnonMB: round(anonMB, 1),
    };
  } finally {
    await child.stopGroup('SIGTERM');
  }
}

async function measureDockerStats(containers: number) {
  const engine0 = engineCpuSeconds(engineDir);
  const t0 = process.hrtime.bigint();
  const ids = (await docker(['ps', '-q', '--filter', 'label=vigil.bench=1'])).stdout.split('\n').filter(Boolean);
  await docker(['stats', '--no-stream', ...ids]);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    wallMs: round(wall * 1000, 1),
    engineCpuMsPerContainer: round(((engineCpuSeconds(engineDir) - engine0) * 1000) / containers, 4),
  };
}

const logger = pino({ level: 'warn' });
const config = parseConfig({ DOCKER_HOST: dockerHost });
const engine = new DockerodeEngine(config.dockerHost);
const events = new EngineEvents(engine, logger);
const inventory = new Inventory(engine, events, logger);
events.start();
const info = await engine.info();

const results = [];
for (const n of sizes) {
  console.log(`\n== ${n} containers`);
  await ensureBenchContainers(docker, image, n);
  await inventory.resync();
  const settled = await machineSettled();
  console.log(
    `machine ${settled.quiet ? 'quiet' : 'still busy'} after ${settled.waitedSeconds} s (${round(settled.busyShare * 100, 1)} % of its cores in use)`,
  );
  const running = inventory.all().filter((e) => e.record.state === 'running').length;
  const cgroupSource = new CgroupStatsSource(config.cgroupRoot, config.procRoot);
  const cgroup = await measureSweeps(inventory, cgroupSource, running, sweeps);
  const apiOptions = { intervalMs: intervalSeconds * 1000, minInFlight: config.apiStatsConcurrency };
  const api = await measureSweeps(
    inventory,
    new ApiStatsSource(engine, () => info.memTotalBytes, apiOptions),
    running,
    apiSweeps,
  );
  const historyWrites = measureHistoryWrites(running, sweeps, intervalSeconds);
  const vigil = await measureVigil(running);
  const baseline = await measureDockerStats(running);
  const row = {
    containers: running,
    settled,
    sweep: { cgroup, api },
    historyWrites,
    vigil,
    dockerStatsNoStream: baseline,
  };
  results.push(row);
  const { prometheus: p, cold, warm } = vigil;
  console.log(
    `Prometheus-observed scrape ÷ static floor: avg ${p.floorRatioAvg}×, max ${p.floorRatioMax}× (load average ${vigil.loadAverage}, cores ${vigil.machineBusyPercent} % busy, engine ${vigil.engineCpuPercentOfCore} % of a core)`,
  );
  console.log(
    `Prometheus-observed scrape: avg ${p.avgMs} ms, p99 ${p.p99Ms} ms, max ${p.maxMs} ms over ${p.scrapes} scrapes, ${p.samplesScraped} samples (the same bytes from a static server: avg ${p.floorAvgMs} ms, max ${p.floorMaxMs} ms)`,
  );
  console.log(`cold scrapes (once per sweep, gzip): avg ${cold.avgMs} ms, p99 ${cold.p99Ms} ms, max ${cold.maxMs} ms`);
  console.log(
    `warm scrapes (back to back, gzip):   p50 ${warm.latencyMsP50} ms, p99 ${warm.latencyMsP99} ms, vigil CPU ${warm.vigilCpuMsPerScrape} ms per scrape`,
  );
  console.log(
    `vigil steady state: ${vigil.cpuMsPerMinute} ms CPU/min (${vigil.cpuPercentOfCore} % of a core), RSS ${vigil.rssMB} MB (max ${vigil.rssMBMax}; anonymous ${vigil.rssAnonMB})`,
  );
  for (const s of [cgroup, api])
    console.log(
      `sampling sweep, ${s.source}: ${s.sweepWallMsMedian} ms wall (max ${s.sweepWallMsMax}), ${s.containersRead} read, CPU/container vigil ${s.vigilCpuMsPerContainer} ms + engine ${s.engineCpuMsPerContainer} ms`,
    );
  console.log(
    `history writes after each sweep: ${historyWrites.cpuMsPerSweep} ms CPU (${historyWrites.cpuMsPerContainer} ms per container, ${historyWrites.cpuPercentOfCore} % of a core at one sweep per ${intervalSeconds} s)`,
  );
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
  intervalSeconds,
  steadySeconds,
  nodeFlags: nodeFlags(),
  targets: {
    floorRatioAvg: 1.15,
    floorRatioMax: 1.5,
    cpuPercentOfCore: { 200: 1, 1000: 2 },
    cpuPerContainerFlatWithin: 1.2,
    cgroupSamplingCpuMsPerContainer: 0.1,
    rssMB: { 200: 80, 1000: 120 },
    apiSweepWallMsAt200: intervalSeconds * 1000,
  },
  results,
};
const usersFlags = process.env.BENCH_NODE_FLAGS === undefined;
const file = writeResults('exporter', out.at, out, usersFlags);
const table = scalingTable(results);
if (usersFlags) writeFileSync(`${repo}bench/results/exporter-latest.md`, table);
console.log(`\n${table}\nwritten to ${file} (node flags: ${out.nodeFlags.join(' ')})`);
const ids = (await docker(['ps', '-aq', '--filter', 'label=vigil.bench=1'])).stdout.split('\n').filter(Boolean);
for (let i = 0; i < ids.length; i += 100) await docker(['rm', '-f', ...ids.slice(i, i + 100)]);
process.exit(0);
