import test from 'ava';
import fc from 'fast-check';
import { seriesRanges } from '../../src/http/api-types.js';
import { hostPointOf, markersOf, parseRange, pointOf, requesterOf, tierFor } from '../../src/history/series.js';
import type { HistoryEntry } from '../../src/store/history.js';

const counters = (at: number, rx: number, pid = 7) => ({
  at,
  pid,
  sample: { networkRxBytes: rx, networkTxBytes: rx * 2, blockReadBytes: 0, blockWriteBytes: 4096 },
});

test('a range picks the finest tier that covers it', (t) => {
  t.deepEqual(
    seriesRanges.map((r) => tierFor(r).tier),
    [0, 1, 1, 2],
  );
  t.is(tierFor('7d').spanMs, 7 * 86_400_000);
});

test('range: the four ranges and absent (1h) are taken, anything else is not', (t) => {
  t.is(parseRange(undefined), '1h');
  for (const r of seriesRanges) t.is(parseRange(r), r);
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(fc.string()), fc.integer()), (value) => {
        const parsed = parseRange(value);
        return parsed === null ? !(seriesRanges as readonly unknown[]).includes(value) : parsed === value;
      }),
    ),
  );
});

test('rates are per second between two readings of the same run; a new run or a first reading gives 0', (t) => {
  const p = pointOf(counters(10_000, 1000), counters(20_000, 6000), 0.25, 1024, null);
  t.is(p.networkRxBytesPerSecond, 500);
  t.is(p.networkTxBytesPerSecond, 1000);
  t.is(p.blockWriteBytesPerSecond, 0, 'a counter that did not move');
  t.is(p.cpuCores, 0.25);
  t.is(p.memoryLimitBytes, null);
  t.is(pointOf(undefined, counters(20_000, 6000), 0, 0, null).networkRxBytesPerSecond, 0);
  t.is(pointOf(counters(10_000, 1000, 6), counters(20_000, 6000), 0, 0, null).networkRxBytesPerSecond, 0);
  t.is(pointOf(counters(10_000, 9000), counters(20_000, 6000), 0, 0, null).networkRxBytesPerSecond, 0);
});

test('rates are never negative nor infinite, whatever the counters', (t) => {
  const arb = fc.record({
    at: fc.integer({ min: 0, max: 1e12 }),
    pid: fc.integer({ min: 1, max: 3 }),
    rx: fc.nat(),
  });
  t.notThrows(() =>
    fc.assert(
      fc.property(arb, arb, (a, b) => {
        const p = pointOf(counters(a.at, a.rx, a.pid), counters(b.at, b.rx, b.pid), 0, 0, null);
        return Number.isFinite(p.networkRxBytesPerSecond) && p.networkRxBytesPerSecond >= 0;
      }),
    ),
  );
});

test('the host point: its cores busy, memory in use of its total, the containers rates summed', (t) => {
  const a = pointOf(counters(0, 0), counters(1000, 100), 0, 0, null);
  const p = hostPointOf(1000, { cpus: 4, cpuUtilisation: 0.5, memoryTotalBytes: 1000, memoryAvailableBytes: 400 }, [
    a,
    a,
  ]);
  t.like(p, { cpuCores: 2, memoryBytes: 600, memoryLimitBytes: 1000, networkRxBytesPerSecond: 200 });
});

const entry = (at: number, kind: HistoryEntry['kind'], data: Record<string, unknown>): HistoryEntry => ({
  key: 'id:x',
  containerId: 'x',
  name: 'web',
  at,
  kind,
  data,
});

test('markers: health changes, a restart, and actions with who asked; no mark for what did nothing', (t) => {
  const markers = markersOf(
    [
      entry(2, 'status', { state: 'running', health: 'unhealthy' }),
      entry(3, 'action', { action: 'restart', outcome: 'success', reason: 'unhealthy for 3 checks' }),
      entry(4, 'status', { state: 'exited', health: 'unhealthy' }),
      entry(5, 'status', { state: 'running', health: 'healthy' }),
      entry(6, 'action', { action: 'stop', outcome: 'success', reason: 'asked by a person (page)', by: 'page' }),
      entry(7, 'action', { action: 'none', reason: 'alert X recorded' }),
      entry(8, 'action', { action: 'restart', outcome: 'success', reason: 'alert Cpu is firing and asks for restart' }),
    ],
    entry(1, 'status', { state: 'running', health: 'healthy' }),
  );
  t.deepEqual(
    markers.map((m) => [m.at, m.kind, m.by]),
    [
      [2, 'health', undefined],
      [3, 'action', 'medic'],
      [5, 'restart', undefined],
      [6, 'action', 'page'],
      [8, 'action', 'alert'],
    ],
  );
  t.is(markers[0]!.what, 'unhealthy');
});

test('who asked: the person source when there is one, an alert by its reason, else the medic', (t) => {
  t.is(requesterOf({ by: 'api' }), 'api');
  t.is(requesterOf({ by: 'page' }), 'page');
  t.is(requesterOf({ reason: 'alert HighCpu is firing' }), 'alert');
  t.is(requesterOf({ reason: 'crashed (exit code 1)' }), 'medic');
});
