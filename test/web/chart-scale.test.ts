import test from 'ava';
import fc from 'fast-check';
import { formatValue, linePath, nearestIndex, timeTicks, valueTicks } from '../../web/src/chart-scale.js';

test('value ticks are round, start at 0 and reach the top', (t) => {
  t.deepEqual(valueTicks(1), [0, 0.25, 0.5, 0.75, 1]);
  t.deepEqual(valueTicks(0.3), [0, 0.1, 0.2, 0.3]);
  t.deepEqual(valueTicks(0), [0, 0.25, 0.5, 0.75, 1], 'nothing yet: a scale of one');
  t.deepEqual(valueTicks(900), [0, 250, 500, 750, 1000]);
});

test('property: the value ticks rise, from 0 to at least the top, in at most 6 steps', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e12, noNaN: true }), (max) => {
        const ticks = valueTicks(max);
        if (ticks[0] !== 0 || ticks.at(-1)! < max * (1 - 1e-9) || ticks.length > 7) throw new Error(ticks.join(','));
        for (let i = 1; i < ticks.length; i++) if (!(ticks[i]! > ticks[i - 1]!)) throw new Error('not rising');
      }),
    ),
  );
});

test('time ticks fall on round local times inside the range', (t) => {
  const from = Date.UTC(2026, 11, 1, 10, 7);
  const hour = timeTicks(from, from + 3_600_000, 5, 0);
  t.deepEqual(
    hour.map((x) => new Date(x).toISOString().slice(11, 16)),
    ['10:15', '10:30', '10:45', '11:00'],
  );
  const week = timeTicks(from, from + 7 * 86_400_000, 5, 0);
  t.true(week.length >= 3 && week.length <= 7);
  t.true(week.every((x) => x % 3_600_000 === 0 && x >= from && x <= from + 7 * 86_400_000));
});

test('values with their units: CPU as a share of a core, memory in MiB or GiB, rates per second', (t) => {
  t.is(formatValue(0.5, 'cores'), '50 %');
  t.is(formatValue(1.234, 'cores'), '123 %');
  t.is(formatValue(0, 'cores'), '0 %');
  t.is(formatValue(300 * 1024 * 1024, 'bytes'), '300 MiB');
  t.is(formatValue(1.5 * 1024 ** 3, 'bytes'), '1.5 GiB');
  t.is(formatValue(2048, 'bytesPerSecond'), '2 KiB/s');
  t.is(formatValue(12, 'bytesPerSecond'), '12 B/s');
  t.is(formatValue(5 * 1024 * 1024, 'bytesPerSecond'), '5 MiB/s');
});

test('the point nearest a time, and none of no points', (t) => {
  const points = [0, 10, 20, 30].map((t) => ({ t, v: t }));
  t.is(nearestIndex(points, -5), 0);
  t.is(nearestIndex(points, 14), 1);
  t.is(nearestIndex(points, 16), 2);
  t.is(nearestIndex(points, 99), 3);
  t.is(nearestIndex([], 1), -1);
});

test('a gap in the samples is drawn as a gap', (t) => {
  const points = [0, 1, 2, 10, 11].map((t) => ({ t, v: 0 }));
  const d = linePath(
    points,
    (x) => x,
    (v) => v,
    3,
  );
  t.is(d.match(/M/g)?.length, 2);
});
