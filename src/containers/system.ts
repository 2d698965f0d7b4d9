import { cpus, freemem, loadavg, totalmem } from 'node:os';
import type { InventoryEntry } from '../docker/inventory.js';
import type { HostReading } from '../resources/host-usage.js';
import type { QueueDepth } from '../store/outbox.js';
import type { ContainersSource } from './source.js';
import { containerSummary, healthSummary, type ViewContext } from './view.js';

/** What /api/v1/system reads besides the containers: the host's last sweep and the outbox. */
export interface SystemReadings {
  host(): HostReading;
  notifications(): QueueDepth;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Node's view of the machine, for callers without a host reading (unit tests of the views). */
function machineReading(): HostReading {
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  return {
    cpus: cpus().length,
    cpuUtilisation: null,
    memoryTotalBytes: totalmem(),
    memoryAvailableBytes: freemem(),
    load: { 1: one, 5: five, 15: fifteen },
  };
}

/**
 * The host, container counts by state, firing alerts by severity and the notification queue:
 * GET /api/v1/system and the live page. Host CPU is the busy share of all cores over the last sweep
 * (/proc/stat), memory in use is the total less MemAvailable; the load averages are apart.
 */
export function systemSummary(
  all: readonly InventoryEntry[],
  alertCounts: Record<string, number>,
  ctx: Pick<ViewContext, 'now' | 'host' | 'engineVersion'>,
  readings?: SystemReadings,
) {
  const states: Record<string, number> = {};
  for (const e of all) states[e.record.state] = (states[e.record.state] ?? 0) + 1;
  const bySeverity: Record<string, number> = { critical: 0, warning: 0, info: 0, ...alertCounts };
  const host = readings?.host() ?? machineReading();
  const total = host.memoryTotalBytes;
  const available = host.memoryAvailableBytes;
  return {
    timestamp: ctx.now.toISOString(),
    host: {
      name: ctx.host,
      cpus: host.cpus,
      cpuPercent: round2((host.cpuUtilisation ?? 0) * 100),
      memoryTotalBytes: total,
      memoryAvailableBytes: available,
      memoryPercent: total > 0 ? round2(((total - available) / total) * 100) : 0,
      load: host.load,
    },
    engine: { version: ctx.engineVersion ?? null },
    containers: { total: all.length, ...states },
    alerts: { total: Object.values(bySeverity).reduce((a, b) => a + b, 0), bySeverity },
    notifications: readings?.notifications() ?? { pending: 0, oldestPendingSeconds: 0 },
  };
}

/** One host's line in a fleet view (NATS vigil.fleet.health, GET /api/v1/fleet): its name and counts. */
export function fleetEntry(containers: ContainersSource, alertCounts: Record<string, number>) {
  const context = containers.context();
  const entries = containers.containers();
  const summaries = entries.map((e) => containerSummary(e, containers.snapshot(e), context));
  const { host, timestamp, total, healthy, unhealthy } = healthSummary(summaries, context);
  const system = systemSummary(entries, alertCounts, context, containers.system);
  return {
    ...{ host, timestamp, total, healthy, unhealthy },
    ...{ states: system.containers, alerts: system.alerts, engine: system.engine },
  };
}
