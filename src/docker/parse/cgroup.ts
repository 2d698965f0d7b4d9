import type { ResourceSample } from '../types.js';
import { UNLIMITED_BYTES } from './stats-json.js';

/**
 * Pure parsers for the kernel's cgroup files and /proc/<pid>/net/dev. The I/O that feeds them is in
 * ../stats/cgroup.ts; these take the files' text so that they can be tested on recorded copies.
 */

/** Where a process sits: v1 has one path per controller, v2 one path in the unified tree. */
export interface CgroupMembership {
  v1: Record<string, string>;
  v2: string | null;
}

/** /proc/<pid>/cgroup: `hierarchy-id:controller[,controller]:path` per line; v2 is the `0::path` line. */
export function parseProcCgroup(text: string): CgroupMembership {
  const v1: Record<string, string> = {};
  let v2: string | null = null;
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1);
    if (line.slice(0, first) === '0' && controllers === '') v2 = path;
    else for (const c of controllers.split(',')) if (c) v1[c] = path;
  }
  return { v1, v2 };
}

/** One key of a `key value` file, without splitting the whole file (memory.stat has ~40 lines, read every sweep). */
export function flatKeyedValue(text: string, key: string): number | undefined {
  const at = text.startsWith(`${key} `) ? 0 : text.indexOf(`\n${key} `) + 1;
  if (at <= 0 && !text.startsWith(`${key} `)) return undefined;
  const start = at + key.length + 1;
  const end = text.indexOf('\n', start);
  return counter(text.slice(start, end < 0 ? undefined : end));
}

/** A kernel counter is a non-negative integer; anything else (a torn read, a changed format) is absent. */
function counter(text: string | undefined): number | undefined {
  const trimmed = text?.trim();
  return trimmed !== undefined && /^\d{1,20}$/.test(trimmed) ? Number(trimmed) : undefined;
}

function parseNumber(text: string): number {
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : 0;
}

/** v1 blkio.throttle.io_service_bytes[_recursive]: `major:minor Op bytes` lines and a `Total` line. */
export function parseBlkioV1(text: string): { read: number; write: number } {
  let read = 0;
  let write = 0;
  // a container that has done no block I/O has only the `Total 0` line: no device to split lines for
  // (a sweep's largest allocation at 1,000 idle containers was these files' lines and their fields)
  if (!text.includes(':')) return { read, write };
  for (const line of text.split('\n')) {
    const [device, op, value] = line.trim().split(/\s+/);
    if (!device || !device.includes(':') || value === undefined) continue;
    if (op === 'Read') read += counter(value) ?? 0;
    else if (op === 'Write') write += counter(value) ?? 0;
  }
  return { read, write };
}

/** v2 io.stat: `major:minor rbytes=N wbytes=N rios=N …` per device. */
export function parseIoStatV2(text: string): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const line of text.split('\n')) {
    for (const field of line.trim().split(/\s+/).slice(1)) {
      const [key, value] = field.split('=');
      if (key === 'rbytes') read += counter(value) ?? 0;
      else if (key === 'wbytes') write += counter(value) ?? 0;
    }
  }
  return { read, write };
}

/** /proc/<pid>/net/dev: the container's network namespace; loopback is not traffic anyone pays for. */
export function parseNetDev(text: string): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  // line by line without splitting the text into lines: most containers have loopback alone, whose
  // line (like the two header lines) is passed over, and only an interface that counts is split
  for (let start = 0, end = 0; start < text.length; start = end + 1) {
    end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', start);
    if (colon < 0) break;
    if (colon > end) continue;
    const iface = text.slice(start, colon).trim();
    if (iface === 'lo' || iface.includes('|')) continue;
    const fields = text
      .slice(colon + 1, end)
      .trim()
      .split(/\s+/);
    rx += counter(fields[0]) ?? 0;
    tx += counter(fields[8]) ?? 0;
  }
  return { rx, tx };
}

export interface CgroupV1Files {
  'cpuacct.usage': string;
  'memory.usage_in_bytes': string;
  /** Also gives the limit: hierarchical_memory_limit, which honours a parent cgroup's limit too. */
  'memory.stat': string;
  'pids.current': string;
  'blkio.throttle.io_service_bytes_recursive': string;
  netDev: string;
}

export interface CgroupV2Files {
  'cpu.stat': string;
  'memory.current': string;
  'memory.max': string;
  'memory.stat': string;
  'pids.current': string;
  'io.stat': string;
  netDev: string;
}

function limitFrom(text: string): number | null {
  const t = text.trim();
  if (t === 'max' || t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) && n > 0 && n < UNLIMITED_BYTES ? n : null;
}

export function parseCgroupV1(files: CgroupV1Files): ResourceSample {
  const usage = parseNumber(files['memory.usage_in_bytes']);
  const stat = files['memory.stat'];
  const io = parseBlkioV1(files['blkio.throttle.io_service_bytes_recursive']);
  const net = parseNetDev(files.netDev);
  return {
    cpuSeconds: parseNumber(files['cpuacct.usage']) / 1e9,
    memoryUsageBytes: usage,
    memoryWorkingSetBytes: Math.max(0, usage - (flatKeyedValue(stat, 'total_inactive_file') ?? 0)),
    memoryLimitBytes: limitFrom(String(flatKeyedValue(stat, 'hierarchical_memory_limit') ?? '')),
    networkRxBytes: net.rx,
    networkTxBytes: net.tx,
    blockReadBytes: io.read,
    blockWriteBytes: io.write,
    pids: parseNumber(files['pids.current']),
  };
}

export function parseCgroupV2(files: CgroupV2Files): ResourceSample {
  const usage = parseNumber(files['memory.current']);
  const io = parseIoStatV2(files['io.stat']);
  const net = parseNetDev(files.netDev);
  return {
    cpuSeconds: (flatKeyedValue(files['cpu.stat'], 'usage_usec') ?? 0) / 1e6,
    memoryUsageBytes: usage,
    memoryWorkingSetBytes: Math.max(0, usage - (flatKeyedValue(files['memory.stat'], 'inactive_file') ?? 0)),
    memoryLimitBytes: limitFrom(files['memory.max']),
    networkRxBytes: net.rx,
    networkTxBytes: net.tx,
    blockReadBytes: io.read,
    blockWriteBytes: io.write,
    pids: parseNumber(files['pids.current']),
  };
}

/** Which file lives under which v1 controller. */
export const v1FileController: Record<Exclude<keyof CgroupV1Files, 'netDev'>, string> = {
  'cpuacct.usage': 'cpuacct',
  'memory.usage_in_bytes': 'memory',
  'memory.stat': 'memory',
  'pids.current': 'pids',
  'blkio.throttle.io_service_bytes_recursive': 'blkio',
};

export const v2FileNames: Exclude<keyof CgroupV2Files, 'netDev'>[] = [
  'cpu.stat',
  'memory.current',
  'memory.max',
  'memory.stat',
  'pids.current',
  'io.stat',
];

/**
 * Pure: the absolute path of every file to read for one container. On v1 each controller is its own
 * hierarchy under `root/<controller>`; on a v2 host the unified tree is `root` itself.
 */
export function cgroupFilePaths(
  membership: CgroupMembership,
  root: string,
  unified: boolean,
):
  | { version: 1; files: Record<Exclude<keyof CgroupV1Files, 'netDev'>, string> }
  | { version: 2; files: Record<Exclude<keyof CgroupV2Files, 'netDev'>, string> }
  | null {
  if (unified) {
    if (membership.v2 === null) return null;
    const dir = `${root}${membership.v2}`;
    const files = Object.fromEntries(v2FileNames.map((f) => [f, `${dir}/${f}`])) as Record<
      Exclude<keyof CgroupV2Files, 'netDev'>,
      string
    >;
    return { version: 2, files };
  }
  const files: Partial<Record<Exclude<keyof CgroupV1Files, 'netDev'>, string>> = {};
  for (const [file, controller] of Object.entries(v1FileController) as [
    Exclude<keyof CgroupV1Files, 'netDev'>,
    string,
  ][]) {
    const path = membership.v1[controller];
    if (path === undefined) return null;
    files[file] = `${root}/${controller}${path}/${file}`;
  }
  return { version: 1, files: files as Record<Exclude<keyof CgroupV1Files, 'netDev'>, string> };
}
