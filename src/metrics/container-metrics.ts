import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { InventoryEntry } from '../docker/inventory.js';
import type { ContainerRecord } from '../docker/types.js';
import type { ContainerSnapshot } from '../sampler.js';
import { escapeLabelValue, formatLabels, formatValue, metricHeader } from './exposition.js';
import type { ContainerMetric, ExporterView } from './view.js';

const gzipAsync = promisify(gzip);

/** `id="…",name="…"`, escaped once per inspection of the container rather than once per series per scrape. */
const identityLabels = new WeakMap<ContainerRecord, string>();
function identity(record: ContainerRecord): string {
  let labels = identityLabels.get(record);
  if (labels === undefined) {
    labels = `id="${escapeLabelValue(record.shortId)}",name="${escapeLabelValue(record.name)}"`;
    identityLabels.set(record, labels);
  }
  return labels;
}

interface Row {
  entry: InventoryEntry;
  snapshot: ContainerSnapshot | undefined;
  labels: string;
}

/** Pure: the exposition text of the per-container metrics for these containers. */
export function renderContainerMetrics(metrics: readonly ContainerMetric[], view: ExporterView): string {
  const rows: Row[] = view
    .containers()
    .map((entry) => ({ entry, snapshot: view.snapshot(entry), labels: identity(entry.record) }));
  const parts: string[] = [];
  for (const metric of metrics) {
    let body = '';
    switch (metric.kind) {
      case 'value':
        for (const row of rows) {
          if (metric.sampled && !row.snapshot) continue;
          const value = metric.value(row.entry, row.snapshot, view);
          if (value !== null) body += `${metric.name}{${row.labels}} ${formatValue(value)}\n`;
        }
        break;
      case 'stateset':
        for (const row of rows) {
          const current = metric.current(row.entry);
          for (const value of metric.values) {
            body += `${metric.name}{${row.labels},${metric.label}="${value}"} ${value === current ? 1 : 0}\n`;
          }
        }
        break;
      case 'info':
        for (const row of rows) body += `${metric.name}{${row.labels},${formatLabels(metric.labels(row.entry))}} 1\n`;
        break;
    }
    parts.push(metricHeader(metric.name, metric.help, metric.kind === 'value' ? metric.type : 'gauge') + body);
  }
  return parts.join('');
}

/**
 * The per-container part of /metrics, rendered, UTF-8 encoded and gzipped at most once per generation,
 * and ahead of the scrape: `prepare()` runs when a sweep ends, so that the scrape Prometheus sends just
 * after it writes ready bytes (rendering on the request path was most of a scrape's cost). A change of
 * the inventory between sweeps is rendered by the first scrape that needs it.
 */
export class ContainerMetricsText {
  private cached: { generation: number; bytes: Buffer; gzipped: Promise<Buffer> } | null = null;

  constructor(
    private readonly metrics: readonly ContainerMetric[],
    private readonly view: ExporterView,
  ) {}

  /** Renders this generation now, and starts its gzip in the thread pool. */
  prepare(): void {
    const generation = this.view.generation();
    if (this.cached?.generation === generation) return;
    const bytes = Buffer.from(renderContainerMetrics(this.metrics, this.view), 'utf8');
    this.cached = { generation, bytes, gzipped: gzipAsync(bytes, { level: 6 }) };
  }

  render(): Buffer {
    this.prepare();
    return this.cached!.bytes;
  }

  /** The same text as a gzip member; a member for vigil's own metrics may follow it (RFC 1952 allows several). */
  renderGzip(): Promise<Buffer> {
    this.prepare();
    return this.cached!.gzipped;
  }
}
