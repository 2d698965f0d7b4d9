import type { Router } from '@koa/router';

/** This host's line, and the others' as NATS gathered them. */
export interface FleetSource {
  own(): unknown;
  /** Other hosts' answers, or null when NATS is not configured. */
  others(): Promise<unknown[]> | null;
}

/** GET /api/v1/fleet: every host's counts, for the page's fleet view; `nats` false when there is no NATS to ask. */
export function fleetRoutes(router: Router, fleet: FleetSource): void {
  router.get('/api/v1/fleet', async (ctx) => {
    const others = fleet.others();
    const hosts = [fleet.own(), ...((await others) ?? [])] as { host?: string }[];
    hosts.sort((a, b) => (String(a.host) < String(b.host) ? -1 : String(a.host) > String(b.host) ? 1 : 0));
    ctx.body = { nats: others !== null, hosts };
  });
}
