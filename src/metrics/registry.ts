import { readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { collectDefaultMetrics, Gauge, Registry, type LabelValues } from 'prom-client';
import { ContainerMetricsText } from './container-metrics.js';
import { containerFamilies } from './families/index.js';
import { registerSelfMetrics, type SelfMetricSources } from './self/index.js';
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
  /**
   * Every family of /metrics as JSON in prom-client's getMetricsAsJSON() shape, in parts of one array:
   * the per-container families from the same snapshot as the text (cached with it), then vigil's own.
   */
  renderJson(): Promise<Buffer[]>;
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
  self.sampler.on('sweep', () => void containers.prepare());
  const registry = new Registry();
  registerSelfMetrics(registry, self);
  // the event-loop delay histogram wakes the loop at this resolution: prom-client's 10 ms was 6,000
  // wake-ups a minute, a tenth of vigil's idle CPU; 100 ms still catches every block worth knowing
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: LAG_RESOLUTION_MS });
  lagWithoutResolution(registry);
  // prom-client exports these gauges with a counter's _total suffix, which promtool rejects;
  // nodejs_active_handles, _requests and _resources carry the same numbers under proper names
  for (const misnamed of [
    'nodejs_active_handles_total',
    'nodejs_active_requests_total',
    'nodejs_active_resources_total',
  ]) {
    registry.removeSingleMetric(misnamed);
  }
  countOpenFilesPerSweep(registry, self);
  return {
    contentType: registry.contentType,
    registry,
    async render() {
      const [theirs, own] = await Promise.all([containers.render(), registry.metrics()]);
      return [theirs, Buffer.from(own, 'utf8')];
    },
    async renderJson() {
      const [theirs, own] = await Promise.all([containers.renderJson(), registry.getMetricsAsJSON()]);
      const ownJson = JSON.stringify(own).slice(1, -1);
      const separator = theirs.length > 0 && ownJson.length > 0 ? ',' : '';
      return [Buffer.from('['), theirs, Buffer.from(`${separator}${ownJson}]`, 'utf8')];
    },
    async renderGzip() {
      const [own, theirs] = await Promise.all([registry.metrics(), containers.renderGzip()]);
      return [theirs, gzipSync(own, { level: 1 })];
    },
  };
}

const LAG_RESOLUTION_MS = 100;
const lagFromHistogram = ['min', 'max', 'mean', 'p50', 'p90', 'p99'].map((s) => `nodejs_eventloop_lag_${s}_seconds`);

/**
 * Node's event-loop delay histogram records each interval between its timer's ticks, the resolution
 * included: an idle loop would read 0.1 s in every nodejs_eventloop_lag_* gauge prom-client fills from
 * it, and an alert on them would fire forever. Each value is set without the resolution instead (by
 * prom-client's own collect, synchronously, which is what orders it before the gauges are read).
 */
function lagWithoutResolution(registry: Registry): void {
  const offset = LAG_RESOLUTION_MS / 1000;
  for (const name of lagFromHistogram) {
    const gauge = registry.getSingleMetric(name);
    if (!(gauge instanceof Gauge)) continue;
    const set = gauge.set.bind(gauge) as (labels: LabelValues<string>, value: number) => void;
    gauge.set = (labels: LabelValues<string> | number, value?: number) =>
      typeof labels === 'number'
        ? set({}, Math.max(0, labels - offset))
        : set(labels, Math.max(0, (value ?? 0) - offset));
  }
}

/**
 * prom-client counts open files on every scrape by listing /proc/self/fd; with the cgroup files the
 * sampler holds open that listing is 1,400 entries at 200 containers, 1.7 ms a scrape. The same gauge
 * is counted when a sweep ends instead, off the request path, and listed in the thread pool: listed
 * synchronously it held the event loop for those 1.7 ms after every sweep.
 */
function countOpenFilesPerSweep(registry: Registry, self: SelfMetricSources): void {
  const name = 'process_open_fds';
  const help = registry.getSingleMetric(name) && 'Number of open file descriptors.';
  if (!help) return; // not Linux: prom-client has no such metric either
  registry.removeSingleMetric(name);
  const openFiles = new Gauge({ name, help, registers: [registry] });
  // the listing's own descriptor is among those it lists
  openFiles.set(readdirSync('/proc/self/fd').length - 1);
  let listing = false;
  self.sampler.on('sweep', () => {
    if (listing) return;
    listing = true;
    readdir('/proc/self/fd')
      .then((entries) => openFiles.set(entries.length - 1))
      .catch(() => undefined) // the last count stands; the next sweep lists again
      .finally(() => (listing = false));
  });
}
