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
  return registry;
}
