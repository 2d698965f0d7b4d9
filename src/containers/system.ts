import { cpus, freemem, loadavg, totalmem } from 'node:os';
import type { InventoryEntry } from '../docker/inventory.js';
import type { ContainersSource } from './source.js';
import { containerSummary, healthSummary, type ViewContext } from './view.js';

/** The host, container counts by state, and firing alerts by severity: GET /api/v1/system and the live page. */
export function systemSummary(
  all: readonly InventoryEntry[],
  alertCounts: Record<string, number>,
  ctx: Pick<ViewContext, 'now' | 'host' | 'engineVersion'>,
) {
  const states: Record<string, number> = {};
  for (const e of all) states[e.record.state] = (states[e.record.state] ?? 0) + 1;
  const bySeverity: Record<string, number> = { critical: 0, warning: 0, info: 0, ...alertCounts };
  const cores = cpus().length;
  const [load1 = 0, load5 = 0] = loadavg();
  const total = totalmem();
  const free = freemem();
  return {
    timestamp: ctx.now.toISOString(),
    host: {
      name: ctx.host,
      cpus: cores,
      load1,
      load5,
      cpuPercent: Math.round(Math.min(load1 / cores, 1) * 100 * 100) / 100,
      memoryTotalBytes: total,
      memoryAvailableBytes: free,
      memoryPercent: Math.round(((total - free) / total) * 10_000) / 100,
    },
    engine: { version: ctx.engineVersion ?? null },
    containers: { total: all.length, ...states },
    alerts: { total: Object.values(bySeverity).reduce((a, b) => a + b, 0), bySeverity },
  };
}

/** One host's line in a fleet view (NATS vigil.fleet.health, GET /api/v1/fleet): its name and counts. */
export function fleetEntry(containers: ContainersSource, alertCounts: Record<string, number>) {
  const context = containers.context();
  const entries = containers.containers();
  const summaries = entries.map((e) => containerSummary(e, containers.snapshot(e), context));
  const { host, timestamp, total, healthy, unhealthy } = healthSummary(summaries, context);
  const system = systemSummary(entries, alertCounts, context);
  return {
    ...{ host, timestamp, total, healthy, unhealthy },
    ...{ states: system.containers, alerts: system.alerts, engine: system.engine },
  };
}
