import type { Router } from '@koa/router';
import type { MetricsEndpoint } from '../../metrics/registry.js';

export function metricsRoutes(router: Router, metrics: MetricsEndpoint): void {
  router.get('/metrics', async (ctx) => {
    metrics.scraped(Date.now());
    // as Prometheus's own client libraries do: gzip when the scraper takes it (Prometheus always does)
    const gzip = ctx.acceptsEncodings('gzip', 'identity') === 'gzip';
    const parts = gzip ? await metrics.renderGzip() : await metrics.render();
    // written part by part: joining them would copy the cached container part on every scrape, and
    // koa's stream body costs more than the copy it saves
    ctx.respond = false;
    ctx.res.writeHead(200, {
      'Content-Type': metrics.contentType,
      'Content-Length': parts.reduce((n, p) => n + p.length, 0),
      Vary: 'Accept-Encoding',
      ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
    });
    for (const part of parts) ctx.res.write(part);
    ctx.res.end();
  });
  // the same families as JSON, in prom-client's getMetricsAsJSON() shape
  router.get('/metrics/json', async (ctx) => {
    const parts = await metrics.renderJson();
    ctx.respond = false;
    ctx.res.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': parts.reduce((n, p) => n + p.length, 0),
    });
    for (const part of parts) ctx.res.write(part);
    ctx.res.end();
  });
}
