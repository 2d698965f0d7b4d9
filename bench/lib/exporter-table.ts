/** One size's figures, as bench/exporter.ts measures them. */
export interface ExporterRow {
  containers: number;
  sweep: Record<'cgroup' | 'api', { sweepWallMsMedian: number; sweepWallMsMax: number; containersRead: number } & Cpu>;
  vigil: {
    prometheus: {
      avgMs: number;
      p99Ms: number;
      maxMs: number;
      samplesScraped: number;
      floorAvgMs: number;
      floorMaxMs: number;
      /** vigil's scrape over the static floor's, in the same run: the headline figure. */
      floorRatioAvg?: number;
      floorRatioMax?: number;
    };
    /** The machine's 1-minute load average as the steady window closed. */
    loadAverage?: number;
    /** The share of all the machine's cores in use over the steady window, in percent. */
    machineBusyPercent?: number;
    /** dockerd and containerd over the same window. */
    engineCpuPercentOfCore?: number;
    cold: { avgMs: number; maxMs: number };
    warm: { latencyMsP50: number; latencyMsP99: number; vigilCpuMsPerScrape?: number };
    cpuMsPerMinute: number;
    cpuPercentOfCore: number;
    cpuMsPerMinutePerContainer: number;
    rssMB: number;
    rssMBMax: number;
    rssAnonMB?: number;
  };
  /** The resource history's writes after a sweep (bench/lib/history-writes.ts); absent in older results. */
  historyWrites?: { cpuMsPerSweep: number; cpuMsPerContainer: number; cpuPercentOfCore: number };
  dockerStatsNoStream: { wallMs: number; engineCpuMsPerContainer: number };
}
interface Cpu {
  vigilCpuMsPerContainer: number;
  engineCpuMsPerContainer: number;
  totalCpuMsPerContainer: number;
}

/** Pure: vigil's Prometheus-observed scrape over the static server's of the same bytes, average and maximum. */
export function floorRatios(p: { avgMs: number; maxMs: number; floorAvgMs: number; floorMaxMs: number }): {
  floorRatioAvg: number;
  floorRatioMax: number;
} {
  const ratio = (a: number, b: number) => Number((a / b).toFixed(2));
  return { floorRatioAvg: ratio(p.avgMs, p.floorAvgMs), floorRatioMax: ratio(p.maxMs, p.floorMaxMs) };
}

const orUnknown = (n: number | undefined, suffix = '') => (n === undefined ? '?' : `${n}${suffix}`);

/** The README's scaling tables, in markdown. */
export function scalingTable(rows: ExporterRow[]): string {
  const first = rows[0]?.vigil.cpuMsPerMinutePerContainer ?? NaN;
  // what one more container costs, between this size and the one before: the fixed costs (timers, GC,
  // scrapes, vigil's own metrics) are spread over all containers in the plain per-container figure
  const marginal = (i: number) => {
    const [a, b] = [rows[i - 1], rows[i]!];
    if (!a) return '–';
    return `${((b.vigil.cpuMsPerMinute - a.vigil.cpuMsPerMinute) / (b.containers - a.containers)).toFixed(3)} ms/min`;
  };
  const scrape = [
    '| containers | scrape ÷ static floor, avg / max | Prometheus-observed scrape avg / p99 / max | same bytes, static server avg / max | load average, cores busy, engine CPU | samples | cold scrape avg / max | warm p50 / p99, vigil CPU per scrape | vigil CPU | CPU per container (× the smallest) | CPU per added container | RSS (max), of it anonymous |',
    '|---:|---|---|---|---|---:|---|---|---|---|---|---|',
    ...rows.map(({ containers, vigil: v }, i) => [
      containers,
      `**${orUnknown(v.prometheus.floorRatioAvg, '×')} / ${orUnknown(v.prometheus.floorRatioMax, '×')}**`,
      `${v.prometheus.avgMs} / ${v.prometheus.p99Ms} / ${v.prometheus.maxMs} ms`,
      `${v.prometheus.floorAvgMs} / ${v.prometheus.floorMaxMs} ms`,
      `${orUnknown(v.loadAverage)}, ${orUnknown(v.machineBusyPercent, ' %')}, ${orUnknown(v.engineCpuPercentOfCore, ' % of a core')}`,
      v.prometheus.samplesScraped,
      `${v.cold.avgMs} / ${v.cold.maxMs} ms`,
      `${v.warm.latencyMsP50} / ${v.warm.latencyMsP99} ms, ${orUnknown(v.warm.vigilCpuMsPerScrape, ' ms')}`,
      `${v.cpuMsPerMinute} ms/min (${v.cpuPercentOfCore} % of a core)`,
      `${v.cpuMsPerMinutePerContainer} ms/min (${(v.cpuMsPerMinutePerContainer / first).toFixed(2)}×)`,
      marginal(i),
      `${v.rssMB} MB (${v.rssMBMax}), ${v.rssAnonMB ?? '?'} MB`,
    ]),
  ];
  const sampling = [
    '| containers | cgroup sweep: wall, CPU per container (vigil + engine) | history writes after a sweep: CPU (per container) | api sweep: wall (max), containers read, CPU per container (vigil + engine) | `docker stats --no-stream`: wall, engine CPU per container |',
    '|---:|---|---|---|---|',
    ...rows.map(({ containers, sweep: { cgroup, api }, historyWrites: h, dockerStatsNoStream: d }) => [
      containers,
      `${cgroup.sweepWallMsMedian} ms, ${cgroup.vigilCpuMsPerContainer} + ${cgroup.engineCpuMsPerContainer} ms`,
      h ? `${h.cpuMsPerSweep} ms (${h.cpuMsPerContainer} ms)` : '?',
      `${api.sweepWallMsMedian} ms (${api.sweepWallMsMax}), ${api.containersRead}, ${api.vigilCpuMsPerContainer} + ${api.engineCpuMsPerContainer} ms`,
      `${d.wallMs} ms, ${d.engineCpuMsPerContainer} ms`,
    ]),
  ];
  const lines = (table: (string | (string | number)[])[]) =>
    table.map((l) => (typeof l === 'string' ? l : `| ${l.join(' | ')} |`)).join('\n');
  return `${lines(scrape)}\n\n${lines(sampling)}\n`;
}
