import type { Router } from '@koa/router';
import { systemSummary, type SystemReadings } from '../../containers/system.js';
import type { ViewContext } from '../../containers/view.js';
import type { InventoryEntry } from '../../docker/inventory.js';
import { channelCounts, type ChannelStatus } from '../../notify/channel-status.js';
import type { SystemAnswer } from '../api-types.js';

/** GET /api/v1/system (alerts counted by the store). */
export function systemRoutes(
  router: Router,
  containers: () => InventoryEntry[],
  alertCounts: () => Record<string, number>,
  context: () => ViewContext,
  readings?: SystemReadings,
  channels: () => readonly { status: ChannelStatus }[] = () => [],
  resourceHistory: () => SystemAnswer['resourceHistory'] = () => null,
): void {
  router.get('/api/v1/system', (ctx) => {
    const body: SystemAnswer = {
      ...systemSummary(containers(), alertCounts(), context(), readings),
      channels: channelCounts(channels()),
      resourceHistory: resourceHistory(),
    };
    ctx.body = body;
  });
}
