import { gzipSync } from 'node:zlib';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ContainerMetricsText } from './container-metrics.js';
import { containerFamilies } from './families/index.js';
import { registerSelfMetrics, type SelfMetricSources } from './self.js';
import type { ExporterView, FamilyOptions } from './view.js';

/** Everything /metrics serves. */
export interface MetricsEndpoint {
  contentType: string;
  /** vigil's own registry (never prom-client's global one): self-metrics and process metrics. */
  registry: Registry;
  /** The exposition text in parts: the cached per-container families, then vigil's own registry. */
  render(): Promise<Buffer[]>;
  /** The same, gzipped: the per-container member was compressed when its sweep ended, vigil's own is small. */
  renderGzip(): Promise<Buffer[]>;
}

/**
 * Per-container families render from the snapshot (cached per generation); vigil's own metrics and
 * prom-client's process metrics come from vigil's own Registry, whose text follows.
 */
export function createMetrics(view: ExporterView, options: FamilyOptions, self: SelfMetricSources): MetricsEndpoint {
  const containers = new ContainerMetricsText(
    containerFamilies.flatMap((family) => family.metrics(options)),
    view,
  );
  // the scrape that follows a sweep finds its bytes ready
  self.sampler.on('sweep', () => containers.prepare());
  const registry = new Registry();
  registerSelfMetrics(registry, self);
  collectDefaultMetrics({ register: registry });
  // prom-client exports these gauges with a counter's _total suffix, which promtool rejects;
  // nodejs_active_handles, _requests and _resources carry the same numbers under proper names
  for (const misnamed of [
    'nodejs_active_handles_total',
    'nodejs_active_requests_total',
    'nodejs_active_resources_total',
  ]) {
    registry.removeSingleMetric(misnamed);
  }
  return {
    contentType: registry.contentType,
    registry,
    async render() {
      return [containers.render(), Buffer.from(await registry.metrics(), 'utf8')];
    },
    async renderGzip() {
      const [own, theirs] = await Promise.all([registry.metrics(), containers.renderGzip()]);
      return [theirs, gzipSync(own, { level: 1 })];
    },
  };
}
