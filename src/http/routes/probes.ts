import type { Router } from '@koa/router';

export interface ReadinessCheck {
  name: string;
  /** Null when ready; otherwise why not. */
  check(): string | null | Promise<string | null>;
}

/** Liveness says the process serves requests; readiness says it can do its job (engine reachable, …). */
export function probeRoutes(router: Router, checks: readonly ReadinessCheck[]): void {
  router.get('/health/live', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/health/ready', async (ctx) => {
    const results = await Promise.all(checks.map(async (c) => ({ name: c.name, problem: await c.check() })));
    const failing = results.filter((r) => r.problem !== null);
    ctx.status = failing.length === 0 ? 200 : 503;
    ctx.body = {
      status: failing.length === 0 ? 'ready' : 'not ready',
      checks: Object.fromEntries(results.map((r) => [r.name, r.problem ?? 'ok'])),
    };
  });
}
