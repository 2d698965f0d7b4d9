/**
 * Where vigil's memory goes at one size, for one or more sets of node flags on the same containers:
 * vigil started as `npm start` runs it (or with each set of BENCH_FLAG_SETS), scraped with gzip every
 * 5 s as Prometheus would, then its RSS (max over the window and at its end, with the anonymous and the
 * file-backed parts from /proc), V8's heap by space and what node holds outside it, and its CPU.
 * It prints figures and writes them to bench/results/memory-<stamp>.json; it asserts nothing.
 *
 *   npm run bench:memory                                         # 200 containers, npm start's flags
 *   BENCH_SIZE=1000 BENCH_FLAG_SETS='--no-opt|--no-opt --max-semi-space-size=1' npm run bench:memory
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/net.js';
import { ensureBenchContainers } from './lib/bench-containers.js';
import { benchEngine, repo, writeResults } from './lib/bench-engine.js';
import { cpuSecondsOf, machineSettled, round, rssMB } from './lib/proc.js';
import { PROMETHEUS_SCRAPE_HEADERS } from './lib/scrapes.js';
import { nodeFlags, startBuiltVigil } from './lib/vigil.js';

const { image, docker } = benchEngine('bench:memory');
const size = Number(process.env.BENCH_SIZE ?? 200);
const seconds = Number(process.env.BENCH_STEADY_SECONDS ?? 90);
const flagSets = (process.env.BENCH_FLAG_SETS ?? nodeFlags().join(' ')).split('|').map((s) => s.trim());
const mb = (bytes: number) => round(bytes / 2 ** 20, 1);

interface MemoryReport {
  usage: NodeJS.MemoryUsage;
  spaces: Record<string, { size: number; used: number }>;
}

async function measure(flags: string) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-memory-'));
  const reportPath = join(dir, 'report.json');
  process.env.BENCH_NODE_FLAGS = `${flags} --import=${repo}bench/lib/memory-report.js`;
  const { child, url } = await startBuiltVigil(
    await freePort(),
    { VIGIL_SAMPLE_INTERVAL_SECONDS: '5', VIGIL_DATA_DIR: join(dir, 'data'), VIGIL_BENCH_MEMORY_REPORT: reportPath },
    size,
  );
  try {
    const pid = child.pid!;
    const rss: number[] = [];
    const cpu0 = cpuSecondsOf(pid);
    const t0 = Date.now();
    const load0 = loadavg()[0]!;
    for (let s = 0; s < seconds; s++) {
      if (s % 5 === 0) await (await fetch(`${url}/metrics`, { headers: PROMETHEUS_SCRAPE_HEADERS })).arrayBuffer();
      rss.push(rssMB(pid));
      await new Promise((r) => setTimeout(r, 1000));
    }
    const cpuPercent = ((cpuSecondsOf(pid) - cpu0) / ((Date.now() - t0) / 1000)) * 100;
    process.kill(pid, 'SIGUSR2');
    for (let i = 0; i < 50; i++) {
      try {
        readFileSync(reportPath);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as MemoryReport;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kB = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0) / 1024;
    return {
      flags,
      loadAverage: round(load0, 2),
      cpuPercentOfCore: round(cpuPercent, 2),
      rssMaxMB: round(Math.max(...rss), 1),
      rssEndMB: round(kB('VmRSS'), 1),
      anonMB: round(kB('RssAnon'), 1),
      fileMB: round(kB('RssFile'), 1),
      heapTotalMB: mb(report.usage.heapTotal),
      heapUsedMB: mb(report.usage.heapUsed),
      externalMB: mb(report.usage.external),
      arrayBuffersMB: mb(report.usage.arrayBuffers),
      spacesMB: Object.fromEntries(Object.entries(report.spaces).map(([k, v]) => [k, [mb(v.used), mb(v.size)]])),
    };
  } finally {
    await child.stopGroup();
    rmSync(dir, { recursive: true, force: true });
  }
}

await ensureBenchContainers(docker, image, size);
console.log(`machine settled: ${JSON.stringify(await machineSettled())}`);
const results = [];
for (const flags of flagSets) {
  const result = await measure(flags);
  console.log(JSON.stringify(result));
  results.push(result);
}
const at = new Date().toISOString();
console.log(`written to ${writeResults('memory', at, { at, size, seconds, results }, !process.env.BENCH_FLAG_SETS)}`);
const ids = (await docker(['ps', '-aq', '--filter', 'label=vigil.bench=1'])).stdout.split('\n').filter(Boolean);
for (let i = 0; i < ids.length; i += 100) await docker(['rm', '-f', ...ids.slice(i, i + 100)]);
process.exit(0);
