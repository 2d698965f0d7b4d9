import { Gauge, type Registry } from 'prom-client';

/** Which host of a fleet these metrics come from (VIGIL_HOST). */
export function registerHostMetrics(registry: Registry, host: string): void {
  new Gauge({
    name: 'vigil_host_info',
    help: "This vigil's host name (VIGIL_HOST), always 1: a fleet's dashboards join it on instance.",
    labelNames: ['host'],
    registers: [registry],
  }).set({ host }, 1);
}
