import { Gauge, Histogram, type Registry } from 'prom-client';
import type { Sampler } from '../../sampler.js';

/** How long each sweep took per stats source, and the containers it could not read. */
export function registerSamplerMetrics(registry: Registry, sampler: Sampler): void {
  const duration = new Histogram({
    name: 'vigil_collection_duration_seconds',
    help: "Time to read every running container, per stats source (cgroup files or the engine's stats API).",
    labelNames: ['source'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const unread = new Gauge({
    name: 'vigil_collection_unread_containers',
    help: 'Running containers the last sweep could read from no source.',
    registers: [registry],
  });
  sampler.on('sweep', (report) => {
    for (const s of report.bySource) duration.observe({ source: s.source }, s.seconds);
    unread.set(report.unread);
  });
}
