import { collectDefaultMetrics, Registry } from 'prom-client';
import { containerFamilies } from './families/index.js';
import { registerSelfMetrics, type SelfMetricSources } from './self.js';
import type { ExporterView, FamilyOptions } from './view.js';

/** vigil's own registry (never prom-client's global one): container families, self-metrics, process metrics. */
export function createRegistry(view: ExporterView, options: FamilyOptions, self: SelfMetricSources): Registry {
  const registry = new Registry();
  for (const family of containerFamilies) family.register(registry, view, options);
  registerSelfMetrics(registry, self);
  collectDefaultMetrics({ register: registry });
  // prom-client exports these gauges with a counter's _total suffix, which promtool rejects;
  // nodejs_active_handles, _requests and _resources carry the same numbers under proper names
  for (const misnamed of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(misnamed);
  }
  return registry;
}
