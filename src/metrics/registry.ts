import { gzipSync } from 'node:zlib';
import { Registry } from 'prom-client';
import { ContainerMetricsText } from './container-metrics.js';
import { containerFamilies } from './families/index.js';
import { ProcessMetricsText } from './process-metrics.js';
import { registerSelfMetrics, type SelfMetricSources } from './self/index.js';
import type { ExporterView, FamilyOptions } from './view.js';

/** Everything /metrics serves. */
export interface MetricsEndpoint {
  contentType: string;
  /** vigil's own registry (never prom-client's global one): vigil's self-metrics, read at each scrape. */
  registry: Registry;
  /** The exposition text in parts: the cached per-container families, the process's, then vigil's own. */
  render(): Promise<Buffer[]>;
  /**
   * The same, gzipped: the per-container and process members were compressed when their sweep ended,
   * vigil's own is small.
   */
  renderGzip(): Promise<Buffer[]>;
  /**
   * Every family of /metrics as JSON in prom-client's getMetricsAsJSON() shape, in parts of one array:
   * the per-container families from the same snapshot as the text (cached with it), then the process's
   * and vigil's own.
   */
  renderJson(): Promise<Buffer[]>;
  /** A scrape has come in: the sampler keeps its sweeps clear of the time scrapes come at. */
  scraped(at: number): void;
  /** Resolves when what the last sweep started rendering has landed (tests wait on it). */
  settled(): Promise<void>;
}

/**
 * Per-container families render from the snapshot (cached per generation) and the process's figures
 * when a sweep ends; vigil's own metrics come from vigil's own Registry at each scrape (counters a
 * webhook or an action has just moved), after them.
 */
export function createMetrics(view: ExporterView, options: FamilyOptions, self: SelfMetricSources): MetricsEndpoint {
  const containers = new ContainerMetricsText(
    containerFamilies.flatMap((family) => family.metrics(options)),
    view,
  );
  // the scrape that follows a sweep finds its bytes ready
  self.sampler.on('sweep', () => void containers.prepare());
  const processText = new ProcessMetricsText(self.sampler);
  const registry = new Registry();
  registerSelfMetrics(registry, self);
  let lastScrapeAt: number | null = null;
  self.sampler.keepClearOf(() => lastScrapeAt);
  return {
    contentType: registry.contentType,
    registry,
    async render() {
      const [theirs, ours, own] = await Promise.all([containers.render(), processText.current(), registry.metrics()]);
      return [theirs, ours.bytes, Buffer.from(own, 'utf8')];
    },
    async renderJson() {
      const [theirs, ours, own] = await Promise.all([
        containers.renderJson(),
        processText.currentJson(),
        registry.getMetricsAsJSON(),
      ]);
      const members = [theirs, ours, Buffer.from(JSON.stringify(own).slice(1, -1), 'utf8')];
      const parts: Buffer[] = [Buffer.from('[')];
      for (const member of members.filter((m) => m.length > 0)) {
        if (parts.length > 1) parts.push(Buffer.from(','));
        parts.push(member);
      }
      parts.push(Buffer.from(']'));
      return parts;
    },
    async renderGzip() {
      const [theirs, ours, own] = await Promise.all([
        containers.renderGzip(),
        processText.current(),
        registry.metrics(),
      ]);
      return [theirs, ours.gzipped, gzipSync(own, { level: 1 })];
    },
    scraped(at) {
      lastScrapeAt = at;
    },
    async settled() {
      await Promise.all([containers.prepare(), processText.settled()]);
    },
  };
}
