import type { Router } from '@koa/router';
import type { MetricsEndpoint } from '../../metrics/registry.js';

export function metricsRoutes(router: Router, metrics: MetricsEndpoint): void {
  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.contentType;
    ctx.body = await metrics.render();
  });
}
