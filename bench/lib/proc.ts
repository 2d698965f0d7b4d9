import { readFileSync } from 'node:fs';

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
