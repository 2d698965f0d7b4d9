import { readdirSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { collectDefaultMetrics, Gauge, Registry, type LabelValues } from 'prom-client';
import { familyText, type FamilyValues } from './exposition.js';

const gzipAsync = promisify(gzip);

/** What says a sweep has ended: the sampler. */
export interface SweepSignal {
  on(event: 'sweep', listener: () => void): unknown;
}

/** One collection of the process registry: its text, that text gzipped, and the same families as JSON. */
interface Rendered {
  bytes: Buffer;
  gzipped: Buffer;
  /** prom-client's getMetricsAsJSON() members, comma-separated, without the array's brackets. */
  json: Buffer;
}

/**
 * prom-client's process and Node.js metrics (CPU, memory, heap, GC, event-loop lag, open files), read
 * when a sweep ends and served as ready bytes until the next: like the containers' readings, they are
 * as of the last sweep. Collecting them was 1.2 ms of the main thread per scrape with `npm start`'s
 * flags (more than every other part of a scrape together), and a scrape waited for it.
 */
export class ProcessMetricsText {
  readonly registry = new Registry();
  private cached: Rendered | null = null;
  private preparing: Promise<Rendered> | null = null;
  private afterSweep: Promise<unknown> = Promise.resolve();

  constructor(sampler: SweepSignal) {
    // the event-loop delay histogram wakes the loop at this resolution: prom-client's 10 ms was 6,000
    // wake-ups a minute, a tenth of vigil's idle CPU; 100 ms still catches every block worth knowing
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: LAG_RESOLUTION_MS });
    lagWithoutResolution(this.registry);
    // prom-client exports these gauges with a counter's _total suffix, which promtool rejects;
    // nodejs_active_handles, _requests and _resources carry the same numbers under proper names
    for (const misnamed of [
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'nodejs_active_resources_total',
    ]) {
      this.registry.removeSingleMetric(misnamed);
    }
    const openFilesCounted = countOpenFilesPerSweep(this.registry, sampler);
    // after the open-file count of the same sweep has landed
    sampler.on('sweep', () => void (this.afterSweep = openFilesCounted().then(() => this.prepare())));
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Reads the process's figures and renders them, unless a rendering is under way. */
  prepare(): Promise<Rendered> {
    this.preparing ??= this.render().finally(() => (this.preparing = null));
    return this.preparing;
  }

  /** The figures of the last sweep; rendered now only before the first sweep has ended. */
  current(): Promise<Rendered> {
    return this.cached ? Promise.resolve(this.cached) : this.prepare();
  }

  /** Resolves when the rendering that the last sweep started has landed (tests wait on it). */
  async settled(): Promise<void> {
    await this.afterSweep;
  }

  /** The same families as JSON members, of the same collection. */
  async currentJson(): Promise<Buffer> {
    return (await this.current()).json;
  }

  /** One collection, as text and JSON both: collected twice, the two would count other handles. */
  private async render(): Promise<Rendered> {
    const families = await this.registry.getMetricsAsJSON();
    const text = families.map((f) => familyText({ ...f, type: String(f.type) as FamilyValues['type'] })).join('');
    const bytes = Buffer.from(text, 'utf8');
    const json = Buffer.from(JSON.stringify(families).slice(1, -1), 'utf8');
    this.cached = { bytes, gzipped: await gzipAsync(bytes, { level: 1 }), json };
    return this.cached;
  }
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
 * prom-client counts open files on every collection by listing /proc/self/fd; with the cgroup files the
 * sampler holds open that listing is 1,400 entries at 200 containers (1.7 ms) and over 6,000 at 1,000.
 * The same gauge is counted when a sweep ends instead, in the thread pool, and from the directory's size
 * where the kernel gives it (Linux 6.2 and later: one stat, 10 µs, where listing 3,000 entries took
 * 15 ms of CPU); older kernels report a size of 0, and there the directory is listed. Returns what
 * resolves when the latest count has landed.
 */
function countOpenFilesPerSweep(registry: Registry, sampler: SweepSignal): () => Promise<void> {
  let latest: Promise<void> = Promise.resolve();
  const name = 'process_open_fds';
  const help = registry.getSingleMetric(name) && 'Number of open file descriptors.';
  if (!help) return () => latest; // not Linux: prom-client has no such metric either
  registry.removeSingleMetric(name);
  const openFiles = new Gauge({ name, help, registers: [registry] });
  openFiles.set(statSync(FD_DIR).size || listedOpenFiles(readdirSync(FD_DIR)));
  let listing = false;
  sampler.on('sweep', () => {
    if (listing) return;
    listing = true;
    latest = stat(FD_DIR)
      .then(async ({ size }) => size || listedOpenFiles(await readdir(FD_DIR)))
      .then((count) => void openFiles.set(count))
      .catch(() => undefined) // the last count stands; the next sweep lists again
      .finally(() => (listing = false));
  });
  return () => latest;
}

const FD_DIR = '/proc/self/fd';

/** The listing's own descriptor is among those it lists. */
const listedOpenFiles = (entries: readonly string[]): number => entries.length - 1;
