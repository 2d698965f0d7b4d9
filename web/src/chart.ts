import { useEffect, useRef, useState } from 'preact/hooks';
import {
  seriesRanges,
  type SeriesAnswer,
  type SeriesMarker,
  type SeriesPoint,
  type SeriesRange,
} from '../../src/http/api-types.js';
import { api } from './api.js';
import {
  formatValue,
  linePath,
  nearestIndex,
  timeLabel,
  timeTicks,
  axisTicks,
  type Point,
  type Unit,
  readoutTime,
} from './chart-scale.js';
import { html } from './html.js';

const HEIGHT = 150;
const LEFT = 64;
const RIGHT = 10;
const TOP = 8;
const BOTTOM = 22;

export interface Line {
  label: string;
  /** A CSS class that colours the line and its legend. */
  tone: string;
  points: Point[];
}

/** The width an element is laid out at, followed as it changes (the charts draw at their own size). */
function useWidth(): [ref: { current: HTMLDivElement | null }, width: number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(600);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(Math.max(200, Math.floor(el.clientWidth))));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/**
 * One chart of a resource over a range: a value axis with its unit, a time axis, a line per series, the
 * limit as a dashed line, markers (health, restarts, actions) on the same time axis, the current value in
 * the title and a readout of the point under the pointer.
 */
export function Chart({
  title,
  unit,
  lines,
  limit,
  from,
  to,
  stepMs,
  markers,
}: {
  title: string;
  unit: Unit;
  lines: Line[];
  limit: number | null;
  from: number;
  to: number;
  stepMs: number;
  markers: SeriesMarker[];
}) {
  const [box, width] = useWidth();
  const [hover, setHover] = useState<number | null>(null);
  const top = Math.max(limit ?? 0, ...lines.flatMap((l) => l.points.map((p) => p.v)));
  const ticks = axisTicks(top * 1.05, unit);
  const max = ticks.at(-1) ?? 1;
  const x = (t: number) => LEFT + ((t - from) / Math.max(1, to - from)) * (width - LEFT - RIGHT);
  const y = (v: number) => TOP + (1 - v / max) * (HEIGHT - TOP - BOTTOM);
  const span = to - from;
  const current = lines.map((l) => `${l.label} ${l.points.length ? formatValue(l.points.at(-1)!.v, unit) : '–'}`);
  const at = hover === null ? null : hover;
  const readout =
    at === null
      ? null
      : lines.map((l) => {
          const i = nearestIndex(l.points, at);
          const p = l.points[i];
          return p ? `${l.label} ${formatValue(p.v, unit)}` : `${l.label} –`;
        });
  const hoverPoint = at === null ? undefined : lines[0]?.points[nearestIndex(lines[0].points, at)];
  const onMove = (e: PointerEvent) => {
    const rect = (e.currentTarget as SVGSVGElement).getBoundingClientRect();
    const px = e.clientX - rect.left;
    if (px < LEFT) return setHover(null);
    setHover(from + ((px - LEFT) / (width - LEFT - RIGHT)) * span);
  };
  return html`<figure class="chart" data-chart=${title}>
    <figcaption>
      <strong>${title}</strong>
      <span class="chart-now" data-testid="chart-now">${current.join(' · ')}</span>
      ${limit !== null ? html`<span class="dim"> · limit ${formatValue(limit, unit)}</span>` : null}
    </figcaption>
    <div class="chart-box" ref=${box}>
      <svg
        width=${width}
        height=${HEIGHT}
        viewBox=${`0 0 ${width} ${HEIGHT}`}
        role="img"
        aria-label=${`${title}: ${current.join(', ')}`}
        onPointerMove=${onMove}
        onPointerLeave=${() => setHover(null)}
      >
        ${ticks.map(
          (v) =>
            html`<g class="tick">
              <line x1=${LEFT} x2=${width - RIGHT} y1=${y(v)} y2=${y(v)} />
              <text x=${LEFT - 6} y=${y(v) + 4} text-anchor="end">${formatValue(v, unit)}</text>
            </g>`,
        )}
        ${timeTicks(from, to, Math.max(2, Math.floor(width / 110))).map(
          (t) => html`<text class="time" x=${x(t)} y=${HEIGHT - 6} text-anchor="middle">${timeLabel(t, span)}</text>`,
        )}
        ${markers.map(
          (m) =>
            html`<g class=${`marker ${m.kind}`} data-marker=${m.kind}>
              <line x1=${x(m.at)} x2=${x(m.at)} y1=${TOP} y2=${HEIGHT - BOTTOM} />
              <circle cx=${x(m.at)} cy=${TOP + 3} r="3.5"><title>${markerText(m)}</title></circle>
            </g>`,
        )}
        ${
          limit !== null
            ? html`<line class="limit" x1=${LEFT} x2=${width - RIGHT} y1=${y(limit)} y2=${y(limit)}
                ><title>limit ${formatValue(limit, unit)}</title></line
              >`
            : null
        }
        ${lines.map((l) => html`<path class=${`series ${l.tone}`} d=${linePath(l.points, x, y, stepMs * 3)} />`)}
        ${
          hoverPoint
            ? html`<line class="cursor" x1=${x(hoverPoint.t)} x2=${x(hoverPoint.t)} y1=${TOP} y2=${HEIGHT - BOTTOM} />`
            : null
        }
      </svg>
    </div>
    <p class="chart-readout dim" aria-live="polite">
      ${
        readout && hoverPoint
          ? `${readoutTime(hoverPoint.t, span)} · ${readout.join(' · ')}`
          : lines.every((l) => l.points.length === 0)
            ? 'No samples in this range yet.'
            : html`<span class="legend"
                >${lines.map((l) => html`<span class=${`key ${l.tone}`}>${l.label}</span> `)}</span
              >`
      }
    </p>
  </figure>`;
}

/** Pure: a marker's words: "12:03 restart: crashed (exit code 1) — asked by page". */
export function markerText(m: SeriesMarker): string {
  return `${new Date(m.at).toLocaleTimeString()} ${m.kind}: ${m.what}${m.by ? ` — asked by ${m.by}` : ''}`;
}

const of = (points: SeriesPoint[], pick: (p: SeriesPoint) => number): Point[] =>
  points.map((p) => ({ t: p.at, v: pick(p) }));

/** The four charts of a series answer: CPU, memory, network and block I/O, on one time axis. */
export function ResourceCharts({ series }: { series: SeriesAnswer }) {
  const common = { from: series.from, to: series.to, stepMs: series.stepSeconds * 1000, markers: series.markers };
  return html`<div class="charts">
    <${Chart}
      title=${series.entity === 'system' ? 'Host CPU (of a core)' : 'CPU (of a core)'}
      unit="cores"
      lines=${[{ label: 'CPU', tone: 'a', points: of(series.points, (p) => p.cpuCores) }]}
      limit=${series.limits.cpuCores}
      ...${common}
    />
    <${Chart}
      title="Memory"
      unit="bytes"
      lines=${[{ label: 'used', tone: 'a', points: of(series.points, (p) => p.memoryBytes) }]}
      limit=${series.limits.memoryBytes}
      ...${common}
    />
    <${Chart}
      title="Network"
      unit="bytesPerSecond"
      lines=${[
        { label: 'rx', tone: 'a', points: of(series.points, (p) => p.networkRxBytesPerSecond) },
        { label: 'tx', tone: 'b', points: of(series.points, (p) => p.networkTxBytesPerSecond) },
      ]}
      limit=${null}
      ...${common}
    />
    <${Chart}
      title="Block I/O"
      unit="bytesPerSecond"
      lines=${[
        { label: 'read', tone: 'a', points: of(series.points, (p) => p.blockReadBytesPerSecond) },
        { label: 'write', tone: 'b', points: of(series.points, (p) => p.blockWriteBytesPerSecond) },
      ]}
      limit=${null}
      ...${common}
    />
  </div>`;
}

const rangeLabels: Record<SeriesRange, string> = { '1h': '1 h', '6h': '6 h', '24h': '24 h', '7d': '7 d' };

/**
 * The resource charts of a container or the host over a range the person picks, read from vigil's own
 * history (`path` is its series route) and read again every sweep or so while shown.
 */
export function SeriesPanel({ path, title }: { path: string; title: string }) {
  const [range, setRange] = useState<SeriesRange>('1h');
  const [series, setSeries] = useState<SeriesAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let gone = false;
    const load = () =>
      api<SeriesAnswer>(`${path}?range=${range}`).then(
        (s) => !gone && (setSeries(s), setError(null)),
        (e: Error) => !gone && setError(e.message),
      );
    void load();
    const timer = setInterval(() => void load(), range === '1h' ? 10_000 : 60_000);
    return () => {
      gone = true;
      clearInterval(timer);
    };
  }, [path, range]);
  return html`<section class="panel" aria-label=${title}>
    <h2>
      ${title}
      <span class="ranges" role="group" aria-label="Range">
        ${seriesRanges.map(
          (r) =>
            html`<button type="button" aria-pressed=${r === range} onClick=${() => setRange(r)}>
              ${rangeLabels[r]}
            </button>`,
        )}
      </span>
    </h2>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    ${series ? html`<${ResourceCharts} series=${series} />` : html`<p class="dim">Loading the history…</p>`}
  </section>`;
}
