import { Registry } from 'prom-client';
import { ContainerMetricsText } from './container-metrics.js';
import { containerFamilies } from './families/index.js';
import { ProcessMetricsText } from './process-metrics.js';
import { registerSelfMetrics, type SelfMetricSources } from './self/index.js';
import { SelfMetricsText } from './self-text.js';
import type { ExporterView, FamilyOptions } from './view.js';

/** Everything /metrics serves. */
export interface MetricsEndpoint {
  contentType: string;
  /**
   * vigil's own registry (never prom-client's global one): vigil's self-metrics, rendered just ahead of a
   * steady scraper's scrape or at the scrape (src/metrics/self-text.ts).
   */
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
  /** No more renderings ahead of scrapes (vigil is stopping). */
  close(): void;
}

/**
 * Per-container families render from the snapshot (cached per generation) and the process's figures
 * when a sweep ends; vigil's own metrics come from vigil's own Registry, after them, rendered ahead of a
 * steady scraper's next scrape and voided by every change vigil tells of (counters a webhook or an
 * action has just moved are at most a quarter of a second old).
 */
export function createMetrics(view: ExporterView, options: FamilyOptions, self: SelfMetricSources): MetricsEndpoint {
  const containers = new ContainerMetricsText(
    containerFamilies.flatMap((family) => family.metrics(options)),
    view,
  );
  const registry = new Registry();
  const own = new SelfMetricsText(registry);
  // what moves the self metrics that vigil hears of: a rendering from before it may not answer
  const changed = () => own.changed();
  // one listener for both (the sampler's sweep has ten already): the scrape that follows a sweep finds
  // the containers' bytes ready, and vigil's own part is rendered again (the sweep histogram moved)
  self.sampler.on('sweep', () => {
    changed();
    void containers.prepare();
  });
  const processText = new ProcessMetricsText(self.sampler);
  registerSelfMetrics(registry, self);
  self.events.on('event', changed);
  self.events.on('disconnected', changed);
  self.medic.on('action', changed);
  self.dispatcher.on('outcome', changed);
  self.incidents.on('closed', changed);
  let lastScrapeAt: number | null = null;
  self.sampler.keepClearOf(() => lastScrapeAt);
  return {
    contentType: registry.contentType,
    registry,
    async render() {
      const [theirs, ours, mine] = await Promise.all([containers.render(), processText.current(), own.current()]);
      return [theirs, ours.bytes, mine.bytes];
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
      const [theirs, ours, mine] = await Promise.all([containers.renderGzip(), processText.current(), own.current()]);
      return [theirs, ours.gzipped, mine.gzipped];
    },
    scraped(at) {
      lastScrapeAt = at;
      own.scraped(at);
    },
    close() {
      own.close();
    },
    async settled() {
      await Promise.all([containers.prepare(), processText.settled()]);
    },
  };
}
