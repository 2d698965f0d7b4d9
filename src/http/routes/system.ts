import type { Router } from '@koa/router';
import { systemSummary, type SystemReadings } from '../../containers/system.js';
import type { ViewContext } from '../../containers/view.js';
import type { InventoryEntry } from '../../docker/inventory.js';

/** GET /api/v1/system (alerts counted by the store). */
export function systemRoutes(
  router: Router,
  containers: () => InventoryEntry[],
  alertCounts: () => Record<string, number>,
  context: () => ViewContext,
  readings?: SystemReadings,
): void {
  router.get('/api/v1/system', (ctx) => {
    ctx.body = systemSummary(containers(), alertCounts(), context(), readings);
  });
}
