import type { Router } from '@koa/router';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import type { InventoryEntry } from '../../docker/inventory.js';

/** The host, container counts by state, and firing alerts by severity: GET /api/v1/system and the live page. */
export function systemSummary(
  all: readonly InventoryEntry[],
  alertCounts: Record<string, number>,
  now = new Date(),
  engineVersion: string | null = null,
) {
  const states: Record<string, number> = {};
  for (const e of all) states[e.record.state] = (states[e.record.state] ?? 0) + 1;
  const bySeverity: Record<string, number> = { critical: 0, warning: 0, info: 0, ...alertCounts };
  const cores = cpus().length;
  const [load1 = 0, load5 = 0] = loadavg();
  const total = totalmem();
  const free = freemem();
  return {
    timestamp: now.toISOString(),
    host: {
      cpus: cores,
      load1,
      load5,
      cpuPercent: Math.round(Math.min(load1 / cores, 1) * 100 * 100) / 100,
      memoryTotalBytes: total,
      memoryAvailableBytes: free,
      memoryPercent: Math.round(((total - free) / total) * 10_000) / 100,
    },
    engine: { version: engineVersion },
    containers: { total: all.length, ...states },
    alerts: { total: Object.values(bySeverity).reduce((a, b) => a + b, 0), bySeverity },
  };
}

/** GET /api/v1/system (alerts counted by the store). */
export function systemRoutes(
  router: Router,
  containers: () => InventoryEntry[],
  alertCounts: () => Record<string, number>,
  engineVersion: () => string | null = () => null,
): void {
  router.get('/api/v1/system', (ctx) => {
    ctx.body = systemSummary(containers(), alertCounts(), new Date(), engineVersion());
  });
}
