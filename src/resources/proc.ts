/**
 * Pure parsers of the host's /proc files that tell its CPU and memory use: the busy share of all
 * cores from /proc/stat (as top computes it), memory from /proc/meminfo's MemAvailable, and the load
 * averages from /proc/loadavg. Reading them is src/resources/host-usage.ts's job.
 */

/** Jiffies all cores together spent, since boot: busy and in total. */
export interface CpuTimes {
  busy: number;
  total: number;
}

/**
 * Pure: the aggregate `cpu` line of /proc/stat. Idle is idle plus iowait; guest time is already
 * counted in user (and guest_nice in nice), so it is left out of the total, as top does.
 */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) return null;
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (fields.length < 4 || fields.some((n) => !Number.isFinite(n) || n < 0)) return null;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busy: total - idle - iowait, total };
}

/** Pure: the busy share (0 to 1) of all cores between two readings; null when no time passed or counters went back. */
export function cpuUtilisation(before: CpuTimes, after: CpuTimes): number | null {
  const total = after.total - before.total;
  const busy = after.busy - before.busy;
  if (total <= 0 || busy < 0) return null;
  return Math.min(1, busy / total);
}

export interface MemoryReading {
  totalBytes: number;
  /** MemAvailable: what can be given to programs without swapping (MemFree on kernels before 3.14). */
  availableBytes: number;
}

/** Pure: MemTotal and MemAvailable of /proc/meminfo, in bytes. */
export function parseMeminfo(text: string): MemoryReading | null {
  const kib = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s*kB\\s*$`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : null;
  };
  const totalBytes = kib('MemTotal');
  const availableBytes = kib('MemAvailable') ?? kib('MemFree');
  if (totalBytes === null || availableBytes === null || totalBytes <= 0) return null;
  return { totalBytes, availableBytes: Math.min(availableBytes, totalBytes) };
}

export interface LoadAverages {
  1: number;
  5: number;
  15: number;
}

/** Pure: the three load averages of /proc/loadavg. */
export function parseLoadavg(text: string): LoadAverages | null {
  const [one, five, fifteen] = text.trim().split(/\s+/).slice(0, 3).map(Number);
  if ([one, five, fifteen].some((n) => n === undefined || !Number.isFinite(n) || n < 0)) return null;
  return { 1: one!, 5: five!, 15: fifteen! };
}
