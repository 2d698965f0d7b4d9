import type { InventoryEntry } from '../docker/inventory.js';
import type { ContainerRecord, HealthStatus } from '../docker/types.js';
import { containerHealth, healthSource } from './health.js';
import { probeError, probeView } from '../probes/view.js';
import type { ContainerSnapshot } from '../sampler.js';
import type {
  ContainerDetail,
  ContainerStats,
  CpuReading,
  HealthSource,
  MemoryReading,
  StateView,
} from '../http/api-types.js';

/** Pure shapes of the JSON API. Everything here is a function of the inventory, a snapshot and the clock. */

const MIB = 1024 * 1024;
const round2 = (n: number): number => Math.round(n * 100) / 100;

/** Go-style duration ("2h30m15s", "45s"), as operators read in docker's own output. */
export function formatUptime(ms: number): string {
  let seconds = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(seconds / 86400);
  seconds -= days * 86400;
  const hours = Math.floor(seconds / 3600) + days * 24;
  seconds -= (hours - days * 24) * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

export function uptimeMs(record: ContainerRecord, now: Date): number {
  return record.state === 'running' && record.startedAt ? now.getTime() - record.startedAt.getTime() : 0;
}

export interface ResourceView {
  cpuPercent: number;
  memoryUsageMB: number;
  memoryLimitMB: number;
  memoryPercent: number;
  networkRxMB: number;
  networkTxMB: number;
  blockReadMB: number;
  blockWriteMB: number;
  pids: number;
}

export function effectiveMemoryLimit(
  entry: InventoryEntry,
  snapshot: ContainerSnapshot | undefined,
  hostMemoryBytes: number,
): number {
  return snapshot?.sample.memoryLimitBytes ?? entry.record.limits.memoryBytes ?? hostMemoryBytes;
}

/** Memory "usage" here is the working set, the figure `docker stats` shows. A stopped container uses nothing. */
export function resourceView(
  entry: InventoryEntry,
  snapshot: ContainerSnapshot | undefined,
  hostMemoryBytes: number,
): ResourceView {
  const limit = effectiveMemoryLimit(entry, snapshot, hostMemoryBytes);
  const s = snapshot?.sample;
  const used = s?.memoryWorkingSetBytes ?? 0;
  return {
    cpuPercent: round2(snapshot?.cpuPercent ?? 0),
    memoryUsageMB: round2(used / MIB),
    memoryLimitMB: round2(limit / MIB),
    memoryPercent: limit > 0 ? round2((used / limit) * 100) : 0,
    networkRxMB: round2((s?.networkRxBytes ?? 0) / MIB),
    networkTxMB: round2((s?.networkTxBytes ?? 0) / MIB),
    blockReadMB: round2((s?.blockReadBytes ?? 0) / MIB),
    blockWriteMB: round2((s?.blockWriteBytes ?? 0) / MIB),
    pids: s?.pids ?? 0,
  };
}

/** Pure: what decides the health shown: while it runs, its HEALTHCHECK or vigil's probes; else its state. */
export function shownHealthSource(entry: InventoryEntry): HealthSource {
  return entry.record.state === 'running' ? healthSource(entry) : 'state';
}

/** Pure: the state and its times; a container that has not stopped since it started has no exit yet. */
export function stateView(record: ContainerRecord): StateView {
  // FinishedAt is the last run's, never an earlier one's, once the container is down. It may read a few
  // ms before StartedAt: the engine stamps StartedAt after its start call returns, and a process that
  // exits at once has by then been stamped by containerd with its exit.
  const ended =
    (record.state === 'exited' || record.state === 'dead') &&
    record.finishedAt !== null &&
    record.finishedAt.getTime() > 0;
  return {
    status: record.state,
    startedAt: record.startedAt?.toISOString() ?? null,
    exitedAt: ended ? record.finishedAt!.toISOString() : null,
    exitCode: ended ? record.exitCode : null,
  };
}

export function cpuReading(entry: InventoryEntry, snapshot: ContainerSnapshot | undefined): CpuReading {
  const running = entry.record.state === 'running';
  return {
    cores: running ? Math.round((snapshot?.cpuPercent ?? 0) * 10) / 1000 : 0,
    limitCores: entry.record.limits.cpuCores,
  };
}

export function memoryReading(
  entry: InventoryEntry,
  snapshot: ContainerSnapshot | undefined,
  hostMemoryBytes: number,
): MemoryReading {
  const running = entry.record.state === 'running';
  return {
    usageBytes: running ? (snapshot?.sample.memoryWorkingSetBytes ?? 0) : 0,
    limitBytes: snapshot?.sample.memoryLimitBytes ?? entry.record.limits.memoryBytes,
    hostBytes: hostMemoryBytes,
  };
}

export interface ContainerSummary {
  host: string;
  id: string;
  name: string;
  image: string;
  status: ContainerRecord['state'];
  health: HealthStatus;
  healthSource: HealthSource;
  /** The state with its times: "exited 3 min ago (exit 1)" reads from here. */
  state: StateView;
  uptime: string;
  /** Restarts vigil has seen (the engine's policy and vigil's own). */
  restarts: number;
  resources: ResourceView;
  cpu: CpuReading;
  memory: MemoryReading;
  labels: Record<string, string>;
  lastHealthCheck: string;
  /** Its daily health scores over the last 30 days, rising, level or falling (history/health-trends.ts). */
  healthTrend: 'improving' | 'stable' | 'declining';
}

/** When health was last established: the last probe's end, or else when vigil last observed or sampled it. */
export function lastHealthCheck(entry: InventoryEntry, snapshot: ContainerSnapshot | undefined): Date {
  const probe = entry.record.health?.log.at(-1)?.end ?? entry.probe?.exec?.last?.end;
  if (probe && entry.record.state === 'running') return probe;
  const sampled = snapshot ? new Date(snapshot.sampledAt) : null;
  return sampled && sampled > entry.observedAt ? sampled : entry.observedAt;
}

export function pickLabels(labels: Record<string, string>, allowlist: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of allowlist) if (labels[key] !== undefined) out[key] = labels[key];
  return out;
}

export interface ViewContext {
  now: Date;
  /** This vigil's host (VIGIL_HOST), in every payload so that a fleet's answers can be told apart. */
  host: string;
  /** The engine's version as `docker info` gives it; null until it has answered. */
  engineVersion?: string | null;
  hostMemoryBytes: number;
  labelAllowlist: readonly string[];
  /** A container's health trend from its history; stable when the caller keeps none. */
  healthTrend?: (entry: InventoryEntry) => ContainerSummary['healthTrend'];
}

export function containerSummary(
  entry: InventoryEntry,
  snapshot: ContainerSnapshot | undefined,
  ctx: ViewContext,
): ContainerSummary {
  const { record } = entry;
  return {
    host: ctx.host,
    id: record.shortId,
    name: record.name,
    image: record.image,
    status: record.state,
    health: containerHealth(entry),
    healthSource: shownHealthSource(entry),
    state: stateView(record),
    uptime: formatUptime(uptimeMs(record, ctx.now)),
    restarts: entry.restarts,
    resources: resourceView(entry, snapshot, ctx.hostMemoryBytes),
    cpu: cpuReading(entry, snapshot),
    memory: memoryReading(entry, snapshot, ctx.hostMemoryBytes),
    labels: pickLabels(record.labels, ctx.labelAllowlist),
    lastHealthCheck: lastHealthCheck(entry, snapshot).toISOString(),
    healthTrend: ctx.healthTrend?.(entry) ?? 'stable',
  };
}

export interface HealthSummary {
  host: string;
  timestamp: string;
  total: number;
  healthy: number;
  unhealthy: number;
  containers: ContainerSummary[];
}

export function healthSummary(containers: ContainerSummary[], ctx: Pick<ViewContext, 'now' | 'host'>): HealthSummary {
  // by code unit, not localeCompare: names are ASCII, and collation would load ICU's data (megabytes resident)
  const sorted = [...containers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    host: ctx.host,
    timestamp: ctx.now.toISOString(),
    total: sorted.length,
    healthy: sorted.filter((c) => c.health === 'healthy').length,
    unhealthy: sorted.filter((c) => c.health === 'unhealthy').length,
    containers: sorted,
  };
}

/** GET /containers/:id/health: everything vigil knows about the container's health. */
export function containerDetail(
  entry: InventoryEntry,
  snapshot: ContainerSnapshot | undefined,
  ctx: ViewContext,
): ContainerDetail {
  const { record } = entry;
  return {
    ...containerSummary(entry, snapshot, ctx),
    fullId: record.id,
    labels: record.labels,
    healthCheck: record.health
      ? {
          status: record.health.status,
          failingStreak: record.health.failingStreak,
          log: record.health.log.map((p) => ({
            start: p.start.toISOString(),
            end: p.end.toISOString(),
            exitCode: p.exitCode,
            output: p.output,
          })),
        }
      : null,
    /** The label-declared probes, beside the engine's HEALTHCHECK when it has one too (that stays the truth). */
    probe: probeView(entry.probe, record.startedAt),
    /** Probe labels that could not be used (an unparsable duration, an invalid expression). */
    probeError: probeError(entry.probe),
    exitCode: record.exitCode,
    error: record.error || null,
    oomKilled: record.oomKilled,
    oomKills: entry.oomKills,
    restarts: entry.restarts,
    restartPolicy: record.restartPolicy,
    createdAt: record.createdAt.toISOString(),
    startedAt: record.startedAt?.toISOString() ?? null,
    finishedAt: record.finishedAt?.toISOString() ?? null,
  };
}

/** GET /containers/:id/stats: raw figures in base units beside the percentages a person reads. */
export function containerStats(
  entry: InventoryEntry,
  snapshot: ContainerSnapshot | undefined,
  ctx: ViewContext,
): ContainerStats {
  const s = snapshot?.sample;
  const limit = effectiveMemoryLimit(entry, snapshot, ctx.hostMemoryBytes);
  const workingSet = s?.memoryWorkingSetBytes ?? 0;
  return {
    host: ctx.host,
    id: entry.record.shortId,
    name: entry.record.name,
    status: entry.record.state,
    sampledAt: snapshot ? new Date(snapshot.sampledAt).toISOString() : null,
    source: snapshot?.source ?? null,
    cpu: {
      percent: round2(snapshot?.cpuPercent ?? 0),
      cores: round2((snapshot?.cpuPercent ?? 0) / 100),
      usageSeconds: s?.cpuSeconds ?? 0,
      limitCores: entry.record.limits.cpuCores,
    },
    memory: {
      usageBytes: s?.memoryUsageBytes ?? 0,
      workingSetBytes: workingSet,
      limitBytes: limit,
      limited: (s?.memoryLimitBytes ?? entry.record.limits.memoryBytes) !== null,
      percent: limit > 0 ? round2((workingSet / limit) * 100) : 0,
    },
    network: { rxBytes: s?.networkRxBytes ?? 0, txBytes: s?.networkTxBytes ?? 0 },
    block: { readBytes: s?.blockReadBytes ?? 0, writeBytes: s?.blockWriteBytes ?? 0 },
    pids: s?.pids ?? 0,
  };
}
