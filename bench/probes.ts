/**
 * Probe benchmark (issue 25): the cost of label-declared exec probes at 200 containers. The same 200
 * busybox containers are watched twice by an in-process vigil, first without probes and then each with
 * `vigil.probe.exec` (every BENCH_PROBE_INTERVAL, default 10 s: three times the default rate), and over
 * the same window it reads vigil's CPU, the engine's CPU (dockerd and containerd: every exec is a runc
 * call), the probes' latency, the sweep's wall time and the /metrics scrape. Prints the figures and
 * writes them to bench/results/probes-<stamp>.json and probes-latest.json; asserts nothing.
 *
 *   npm run bench:probes                      # 200 containers, 30 s windows
 *   BENCH_CONTAINERS=50 BENCH_WINDOW_SECONDS=20 npm run bench:probes
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { pino } from 'pino';
import { loadConfig } from '../src/load-config.js';
import type { SweepReport } from '../src/sampler.js';
import { createVigil } from '../src/service.js';
import { engineCpuSeconds, median, percentile, round } from './lib/proc.js';
import { benchEngine, writeResults } from './lib/bench-engine.js';

const { dockerHost, engineDir, image, docker } = benchEngine('bench:probes');
const containers = Number(process.env.BENCH_CONTAINERS ?? 200);
const windowMs = Number(process.env.BENCH_WINDOW_SECONDS ?? 30) * 1000;
const interval = process.env.BENCH_PROBE_INTERVAL ?? '10s';

interface Window {
  probed: boolean;
  vigilCpuPercent: number;
  engineCpuPercent: number;
  probeRuns: number;
  probeTimeouts: number;
  probeLatencyMsMedian: number | null;
  probeLatencyMsP99: number | null;
  sweepWallMsMedian: number;
  sweepWallMsMax: number;
  scrapeMsMedian: number;
  healthy: number;
}

async function runContainers(labels: string[], prefix: string): Promise<string[]> {
  const names = Array.from({ length: containers }, (_, i) => `${prefix}-${i}`);
  const limit = pLimit(8);
  const flags = labels.flatMap((l) => ['--label', l]);
  await Promise.all(
    names.map((n) =>
      limit(() => docker(['run', '-d', '--name', n, '--network', 'none', ...flags, image, 'sleep', '1000000'])),
    ),
  );
  return names;
}

async function measure(probed: boolean): Promise<Window> {
  const labels = probed ? ['vigil.probe.exec=true', `vigil.probe.interval=${interval}`] : [];
  const names = await runContainers(labels, probed ? 'bench-probed' : 'bench-plain');
  const config = loadConfig({
    DOCKER_HOST: dockerHost,
    VIGIL_LISTEN: '127.0.0.1:0',
    VIGIL_LOG_LEVEL: 'warn',
    VIGIL_DATA_DIR: mkdtempSync(join(tmpdir(), 'vigil-bench-probes-')),
    VIGIL_AUTOHEAL: 'off',
  });
  const vigil = createVigil(config, { logger: pino({ level: 'warn' }) });
  vigil.start();
  const address = await vigil.listen('127.0.0.1', 0);
  const url = `http://127.0.0.1:${address.port}/metrics`;
  while (vigil.inventory.size < containers || !vigil.inventory.synced) await new Promise((r) => setTimeout(r, 200));
  // probes reach their steady rate within one interval: the window starts after it
  await new Promise((r) => setTimeout(r, probed ? 12_000 : 2000));

  const sweeps: SweepReport[] = [];
  vigil.sampler.on('sweep', (s) => sweeps.push(s));
  const latencies: number[] = [];
  vigil.inventory.on('probed', (entry) => {
    const last = entry.probe?.exec?.last;
    if (last) latencies.push(last.end.getTime() - last.start.getTime());
  });
  const scrapes: number[] = [];
  const runs0 = vigil.prober.runs;
  const timeouts0 = vigil.prober.timeouts;
  const cpu0 = process.cpuUsage();
  const engine0 = engineCpuSeconds(engineDir);
  const t0 = performance.now();
  while (performance.now() - t0 < windowMs) {
    const s0 = performance.now();
    await (await fetch(url)).arrayBuffer();
    scrapes.push(performance.now() - s0);
    await new Promise((r) => setTimeout(r, 5000));
  }
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const engineCpu = engineCpuSeconds(engineDir) - engine0;
  const healthy = vigil.inventory.all().filter((e) => e.probe?.status === 'healthy').length;
  const figures: Window = {
    probed,
    vigilCpuPercent: round(((cpu.user + cpu.system) / 1e6 / elapsed) * 100, 2),
    engineCpuPercent: round((engineCpu / elapsed) * 100, 2),
    probeRuns: vigil.prober.runs - runs0,
    probeTimeouts: vigil.prober.timeouts - timeouts0,
    probeLatencyMsMedian: latencies.length ? round(median(latencies), 1) : null,
    probeLatencyMsP99: latencies.length ? round(percentile(latencies, 99), 1) : null,
    sweepWallMsMedian: round(median(sweeps.map((s) => s.wallSeconds * 1000)), 2),
    sweepWallMsMax: round(Math.max(...sweeps.map((s) => s.wallSeconds * 1000)), 2),
    scrapeMsMedian: round(median(scrapes), 2),
    healthy,
  };
  await vigil.stop();
  for (let i = 0; i < names.length; i += 50) await docker(['rm', '-f', ...names.slice(i, i + 50)]);
  return figures;
}

const plain = await measure(false);
const probed = await measure(true);
const result = {
  at: new Date().toISOString(),
  containers,
  windowSeconds: windowMs / 1000,
  probeInterval: interval,
  plain,
  probed,
  perProbeRun: {
    vigilCpuMs: round(
      (((probed.vigilCpuPercent - plain.vigilCpuPercent) / 100) * (windowMs / 1000) * 1000) /
        Math.max(1, probed.probeRuns),
      3,
    ),
    engineCpuMs: round(
      (((probed.engineCpuPercent - plain.engineCpuPercent) / 100) * (windowMs / 1000) * 1000) /
        Math.max(1, probed.probeRuns),
      3,
    ),
  },
};
console.table([plain, probed]);
console.log(JSON.stringify(result.perProbeRun));
console.log(`written to ${writeResults('probes', new Date().toISOString(), result)}`);
