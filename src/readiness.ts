import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname } from 'node:path';
import { parseProcCgroup } from './docker/parse/cgroup.js';
import type { ReadinessCheck } from './http/routes/probes.js';
import { Liveness, type LivenessParts } from './liveness.js';

export { staleness } from './liveness.js';

/** Pure: why vigil's memory is too high (RSS over `percent` of its limit), or null. */
export function memoryProblem(rssBytes: number, limitBytes: number, percent: number): string | null {
  const share = (rssBytes / limitBytes) * 100;
  if (share <= percent) return null;
  const mib = (n: number) => Math.round(n / 1048576);
  return `vigil's RSS is ${mib(rssBytes)} MiB, ${Math.round(share)} % of its ${mib(limitBytes)} MiB limit (over VIGIL_READY_MEMORY_PERCENT=${percent})`;
}

/** Above this a cgroup v1 limit is the kernel's "unlimited" (a page-rounded 2^63-1). */
const V1_UNLIMITED = 2 ** 60;

/**
 * Pure: the memory limit of vigil's own cgroup, from the text of /proc/self/cgroup and a reader of
 * the cgroup files (null when a file is absent): the smallest `memory.max` from its cgroup up to the
 * root on v2, `memory.limit_in_bytes` on v1; the mount's root is tried too, which is vigil's own cgroup
 * when it runs in a container. Null when unlimited or unknown.
 */
export function ownCgroupMemoryLimit(procSelfCgroup: string, read: (path: string) => string | null): number | null {
  const membership = parseProcCgroup(procSelfCgroup);
  const limits: number[] = [];
  const take = (text: string | null, unlimitedFrom: number) => {
    const n = Number(text?.trim());
    if (text !== null && text.trim() !== 'max' && Number.isFinite(n) && n > 0 && n < unlimitedFrom) limits.push(n);
  };
  if (membership.v2 !== null) {
    for (let path = membership.v2; ; path = dirname(path)) {
      take(read(`/sys/fs/cgroup${path === '/' ? '' : path}/memory.max`), Infinity);
      if (path === '/' || path === '.' || path === '') break;
    }
  }
  const v1 = membership.v1.memory;
  if (v1 !== undefined) {
    take(read(`/sys/fs/cgroup/memory${v1 === '/' ? '' : v1}/memory.limit_in_bytes`), V1_UNLIMITED);
    take(read('/sys/fs/cgroup/memory/memory.limit_in_bytes'), V1_UNLIMITED);
  }
  return limits.length === 0 ? null : Math.min(...limits);
}

const readOrNull = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/** vigil's own memory limit: its cgroup's, or the host's memory when it has none (read once: it does not change). */
export function ownMemoryLimit(): number {
  const cgroup = readOrNull('/proc/self/cgroup');
  const limit = cgroup === null ? null : ownCgroupMemoryLimit(cgroup, readOrNull);
  return Math.min(limit ?? Infinity, totalmem());
}

/** vigil's version, from its package.json (beside src/ and dist/ alike). */
export function vigilVersion(): string {
  const text = readOrNull(new URL('../package.json', import.meta.url).pathname);
  try {
    return (JSON.parse(text ?? '{}') as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export interface ReadinessParts {
  /** Why the store cannot be written, or null (src/store/store-file.ts and storeWritable). */
  store: () => string | null;
  /** Why the engine cannot be reached, or null. */
  engine: () => string | null;
  events: LivenessParts['events'];
  sampler: LivenessParts['sampler'];
  /** Sweeps' and the event stream's freshness, shared with metrics and systemd's watchdog; made here without one. */
  liveness?: Liveness;
  /** Why the live WebSocket hub would not accept a client now, or null. */
  hub: () => string | null;
  intervalMs: number;
  memoryPercent: number;
}

/**
 * The checks of GET /health/ready: the store (critical), the engine (degraded: vigil still serves its
 * store, page and alerts), vigil's memory (critical), the event stream's and the sampler's freshness
 * (degraded), and the live WebSocket hub (degraded).
 */
export function readinessChecks(parts: ReadinessParts, now = () => Date.now()): ReadinessCheck[] {
  const liveness = parts.liveness ?? new Liveness(parts, now);
  const limit = ownMemoryLimit();
  return [
    { name: 'store', severity: 'critical', check: parts.store },
    { name: 'engine', severity: 'degraded', check: parts.engine },
    {
      name: 'memory',
      severity: 'critical',
      check: () => memoryProblem(process.memoryUsage.rss(), limit, parts.memoryPercent),
    },
    { name: 'events', severity: 'degraded', check: () => liveness.eventsProblem() },
    { name: 'sampler', severity: 'degraded', check: () => liveness.sweepProblem() },
    { name: 'websocket', severity: 'degraded', check: parts.hub },
  ];
}
