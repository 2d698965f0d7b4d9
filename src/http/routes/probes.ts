import type { Router } from '@koa/router';

/** What a failing check makes vigil: `unhealthy` (it cannot do its job) or `degraded` (it still serves). */
export type CheckSeverity = 'critical' | 'degraded';
export type ReadinessStatus = 'ok' | 'degraded' | 'unhealthy';

export interface ReadinessCheck {
  name: string;
  severity: CheckSeverity;
  /** Null when fine; otherwise why not. */
  check(): string | null | Promise<string | null>;
}

/** One entry of `checks` in GET /health/ready. */
export interface CheckResult {
  status: ReadinessStatus;
  /** Why, when not ok. */
  reason?: string;
  /** Whether a failure makes vigil unhealthy or degraded. */
  severity: CheckSeverity;
}

/** The body of GET /health/ready. */
export interface ReadinessBody {
  status: ReadinessStatus;
  checks: Record<string, CheckResult>;
}

/** The body of GET /health. */
export interface LivenessBody {
  status: 'ok';
  uptimeSeconds: number;
  version: string;
  host: string;
}

/** Pure: the overall status is the worst of the checks': a failed critical check is unhealthy, any other degraded. */
export function readinessBody(
  results: readonly { name: string; severity: CheckSeverity; problem: string | null }[],
): ReadinessBody {
  const checks: Record<string, CheckResult> = {};
  let status: ReadinessStatus = 'ok';
  for (const r of results) {
    if (r.problem === null) {
      checks[r.name] = { status: 'ok', severity: r.severity };
      continue;
    }
    const failed: ReadinessStatus = r.severity === 'critical' ? 'unhealthy' : 'degraded';
    checks[r.name] = { status: failed, reason: r.problem, severity: r.severity };
    if (failed === 'unhealthy') status = 'unhealthy';
    else if (status === 'ok') status = 'degraded';
  }
  return { status, checks };
}

/**
 * Liveness (GET /health, and /health/live for what already probes it) says the process serves
 * requests; readiness (GET /health/ready) says how well it does its job: 200 while ok or degraded
 * (vigil still serves its store, page and alerts), 503 when unhealthy.
 */
export function probeRoutes(
  router: Router,
  checks: readonly ReadinessCheck[],
  about: { version: string; host: string; startedAt: number },
): void {
  router.get('/health', (ctx) => {
    const body: LivenessBody = {
      status: 'ok',
      uptimeSeconds: Math.round((Date.now() - about.startedAt) / 1000),
      version: about.version,
      host: about.host,
    };
    ctx.body = body;
  });
  router.get('/health/live', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/health/ready', async (ctx) => {
    const results = await Promise.all(
      checks.map(async (c) => {
        let problem: string | null;
        try {
          problem = await c.check();
        } catch (err) {
          problem = `the check failed: ${(err as Error).message}`;
        }
        return { name: c.name, severity: c.severity, problem };
      }),
    );
    const body = readinessBody(results);
    ctx.status = body.status === 'unhealthy' ? 503 : 200;
    ctx.body = body;
  });
}
