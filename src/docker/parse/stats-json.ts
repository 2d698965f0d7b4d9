import type { ResourceSample } from '../types.js';

/**
 * The subset of the engine's stats JSON (GET /containers/{id}/stats) that vigil reads; v1 and v2 hosts
 * differ in memory_stats.stats and blkio op names.
 */
export interface StatsJson {
  read?: string;
  pids_stats?: { current?: number };
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  blkio_stats?: { io_service_bytes_recursive?: { major: number; minor: number; op: string; value: number }[] | null };
}

/**
 * Working set as the engine's CLI and the kubelet define it: usage less the inactive page cache,
 * which the kernel reclaims before it OOM-kills. v1 names it total_inactive_file, v2 inactive_file.
 */
export function workingSet(usage: number, stats: Record<string, number> | undefined): number {
  const inactive = stats?.total_inactive_file ?? stats?.inactive_file ?? 0;
  return Math.max(0, usage - inactive);
}

/** Above this the kernel means "no limit" (v1 prints PAGE_COUNTER_MAX rounded to pages). */
export const UNLIMITED_BYTES = 2 ** 62;

export function limitOrNull(limit: number | undefined, hostMemoryBytes: number): number | null {
  // The engine reports the host's memory as the limit of an unlimited container
  if (limit === undefined || limit <= 0 || limit >= UNLIMITED_BYTES || limit >= hostMemoryBytes) return null;
  return limit;
}

/** Pure: the engine's stats JSON → a sample. `hostMemoryBytes` tells a real limit from "unlimited". */
export function parseStatsJson(json: StatsJson, hostMemoryBytes: number): ResourceSample {
  let rx = 0;
  let tx = 0;
  for (const net of Object.values(json.networks ?? {})) {
    rx += net.rx_bytes ?? 0;
    tx += net.tx_bytes ?? 0;
  }
  let read = 0;
  let write = 0;
  for (const entry of json.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = entry.op.toLowerCase();
    if (op === 'read') read += entry.value;
    else if (op === 'write') write += entry.value;
  }
  const usage = json.memory_stats?.usage ?? 0;
  return {
    cpuSeconds: (json.cpu_stats?.cpu_usage?.total_usage ?? 0) / 1e9,
    memoryUsageBytes: usage,
    memoryWorkingSetBytes: workingSet(usage, json.memory_stats?.stats),
    memoryLimitBytes: limitOrNull(json.memory_stats?.limit, hostMemoryBytes),
    networkRxBytes: rx,
    networkTxBytes: tx,
    blockReadBytes: read,
    blockWriteBytes: write,
    pids: json.pids_stats?.current ?? 0,
  };
}
