import { readFileSync } from 'node:fs';
import { cpuUtilisation, parseProcStat, type CpuTimes } from '../../src/resources/proc.js';

// What the benchmarks read from /proc: CPU time and resident memory of vigil and of the engine.

const CLK_TCK = 100;

/** utime + stime of a process, in seconds. */
export function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** dockerd and its containerd, whose pidfile the test engine script writes in its directory. */
export function engineCpuSeconds(engineDir: string): number {
  const dockerd = Number(readFileSync(`${engineDir}/docker.pid`, 'utf8'));
  const containerd = readFileSync(`/proc/${dockerd}/task/${dockerd}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .filter((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'containerd');
  return cpuSecondsOf(dockerd) + containerd.reduce((sum, pid) => sum + cpuSecondsOf(pid), 0);
}

/** Resident memory in MB: all of it (VmRSS), or its anonymous part (RssAnon: what the process itself holds,
 * without the pages of node's binary and libraries it has touched, RssFile). */
export function rssMB(pid: number, field: 'VmRSS' | 'RssAnon' = 'VmRSS'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const percentile = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
export const round = (n: number, digits = 3): number => Number(n.toFixed(digits));

/** The machine's CPU times, busy and all, with vigil's own parser of /proc/stat. */
export function machineTicks(): CpuTimes {
  return parseProcStat(readFileSync('/proc/stat', 'utf8'))!;
}

/**
 * Waits until the machine is quiet before a size is measured: starting hundreds of containers keeps the
 * engine and their shims busy for a minute or more after the last `docker run` has returned, and a
 * figure taken then measures that work, not vigil's. Quiet is two 3 s windows in a row with less than
 * `busyShare` of all cores in use, or `maxSeconds` gone by, whichever comes first; the answer says
 * which. The benchmarks' own mix keeps 28 % of two cores busy once it has settled (its ten loops, and
 * the shims and runc of twenty health probes every 5 s), starting containers over 90 %.
 */
export async function machineSettled(
  busyShare = 0.4,
  maxSeconds = 180,
): Promise<{ waitedSeconds: number; busyShare: number; quiet: boolean }> {
  const t0 = Date.now();
  let quietWindows = 0;
  let share = 1;
  while (quietWindows < 2 && Date.now() - t0 < maxSeconds * 1000) {
    const before = machineTicks();
    await new Promise((r) => setTimeout(r, 3000));
    const after = machineTicks();
    share = busyShareBetween(before, after);
    quietWindows = share < busyShare ? quietWindows + 1 : 0;
  }
  return { waitedSeconds: round((Date.now() - t0) / 1000, 1), busyShare: round(share, 3), quiet: quietWindows >= 2 };
}

/** The share of all the machine's cores in use between two readings of machineTicks(). */
export const busyShareBetween = (before: CpuTimes, after: CpuTimes): number => cpuUtilisation(before, after) ?? 0;
