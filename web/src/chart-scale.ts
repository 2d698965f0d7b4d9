// Pure: the arithmetic of the page's charts — the value axis's round ticks, the time axis's ticks, the
// numbers with their units, the point nearest a pointer. No DOM: test/web/chart-scale.test.ts reads it.

export interface Point {
  /** Milliseconds since the epoch. */
  t: number;
  v: number;
}

export type Unit = 'cores' | 'bytes' | 'bytesPerSecond';

const MiB = 1024 * 1024;

/** Pure: round ticks from 0 to at least `max` (about `count` of them): 0, 0.25, 0.5… or 0, 200, 400… */
export function valueTicks(max: number, count = 4): number[] {
  const top = max > 0 && Number.isFinite(max) ? max : 1;
  const raw = top / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let i = 0; ticks.length === 0 || ticks.at(-1)! < top - step * 1e-9; i++)
    ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/**
 * Pure: the size of one step of the unit a person reads on an axis up to `max`: a percent of a core, a
 * MiB or GiB, a B/s, KiB/s or MiB/s. Ticks are made round in that unit, not in bytes.
 */
export function displayStep(max: number, unit: Unit): number {
  switch (unit) {
    case 'cores':
      return 0.01;
    case 'bytes':
      return max >= 1024 * MiB ? 1024 * MiB : MiB;
    case 'bytesPerSecond':
      return max >= MiB ? MiB : max >= 1024 ? 1024 : 1;
  }
}

/** Pure: round ticks of a value axis in the unit it is read in (0, 256, 512 MiB; 0, 25, 50 % of a core). */
export function axisTicks(max: number, unit: Unit, count = 4): number[] {
  const step = displayStep(max, unit);
  return valueTicks(max / step, count).map((v) => v * step);
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const timeSteps = [
  MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
];

/** Pure: times between `from` and `to` on a round step (local time), about `count` of them. */
export function timeTicks(
  from: number,
  to: number,
  count = 5,
  offsetMinutes = new Date(from).getTimezoneOffset(),
): number[] {
  const span = Math.max(1, to - from);
  const step = timeSteps.find((s) => span / s <= count) ?? DAY * Math.ceil(span / DAY / count);
  const offset = -offsetMinutes * MINUTE;
  const ticks: number[] = [];
  for (let t = Math.ceil((from + offset) / step) * step - offset; t <= to; t += step) ticks.push(t);
  return ticks;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Pure: a time axis label: "14:30" within a day's span, "Tue 14:00" over longer ones. */
export function timeLabel(t: number, spanMs: number): string {
  const d = new Date(t);
  const clock = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (spanMs <= DAY) return clock;
  return `${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getDay()]} ${clock}`;
}

/** Pure: the time of the point under the pointer, to the second, with its day over spans past a day. */
export function readoutTime(t: number, spanMs: number): string {
  const d = new Date(t);
  return `${timeLabel(t, spanMs)}:${pad(d.getSeconds())}`;
}

/** Pure: a value with its unit, as an axis or a readout says it. CPU is in cores: 0.5 → "50 %". */
export function formatValue(v: number, unit: Unit): string {
  switch (unit) {
    case 'cores':
      return `${trim(v * 100)} %`;
    case 'bytes':
      return v >= 1024 * MiB ? `${trim(v / 1024 / MiB)} GiB` : `${trim(v / MiB)} MiB`;
    case 'bytesPerSecond':
      if (v >= MiB) return `${trim(v / MiB)} MiB/s`;
      if (v >= 1024) return `${trim(v / 1024)} KiB/s`;
      return `${trim(v)} B/s`;
  }
}

/** Three significant figures at most, no trailing zeros: 12.5, 0.25, 120, 1230. */
function trim(n: number): string {
  if (n === 0) return '0';
  const digits = Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2;
  return String(Number(n.toFixed(digits)));
}

/** Pure: the index of the point nearest time `t` (points in time order), or -1 when there is none. */
export function nearestIndex(points: readonly Point[], t: number): number {
  if (points.length === 0) return -1;
  let lo = 0;
  let hi = points.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.t < t) lo = mid;
    else hi = mid;
  }
  return Math.abs(points[lo]!.t - t) <= Math.abs(points[hi]!.t - t) ? lo : hi;
}

/**
 * Pure: an SVG path through the points, broken where two neighbours are further apart than `gapMs`
 * (vigil was not sampling, or the container was not there): a gap is drawn as a gap, not a slope, and
 * a point alone as a dot (with round line caps).
 */
export function linePath(
  points: readonly Point[],
  x: (t: number) => number,
  y: (v: number) => number,
  gapMs: number,
): string {
  let d = '';
  points.forEach((p, i) => {
    const before = points[i - 1];
    const after = points[i + 1];
    const move = before === undefined || p.t - before.t > gapMs;
    d += `${move ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`;
    // a point alone (the first sample of a range, or one between gaps) is drawn as a dot
    if (move && (after === undefined || after.t - p.t > gapMs)) d += 'h0';
  });
  return d;
}
