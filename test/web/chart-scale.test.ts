import test from 'ava';
import fc from 'fast-check';
import {
  axisTicks,
  formatValue,
  linePath,
  nearestIndex,
  readoutTime,
  timeTicks,
  valueTicks,
} from '../../web/src/chart-scale.js';

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

test('axis ticks are round in the unit read: MiB for memory, not bytes; percent of a core for CPU', (t) => {
  const MiB = 1024 * 1024;
  t.deepEqual(
    axisTicks(0.95 * MiB, 'bytes').map((v) => formatValue(v, 'bytes')),
    ['0 MiB', '0.25 MiB', '0.5 MiB', '0.75 MiB', '1 MiB'],
  );
  t.deepEqual(
    axisTicks(300 * MiB, 'bytes').map((v) => formatValue(v, 'bytes')),
    ['0 MiB', '100 MiB', '200 MiB', '300 MiB'],
  );
  t.deepEqual(
    axisTicks(0.6, 'cores').map((v) => formatValue(v, 'cores')),
    ['0 %', '20 %', '40 %', '60 %'],
  );
  t.deepEqual(
    axisTicks(3000, 'bytesPerSecond').map((v) => formatValue(v, 'bytesPerSecond')),
    ['0 B/s', '1 KiB/s', '2 KiB/s', '3 KiB/s'],
  );
});

test('a point alone is drawn as a dot, not left out', (t) => {
  t.is(
    linePath(
      [{ t: 0, v: 1 }],
      (x) => x,
      (v) => v,
      3,
    ),
    'M0.0,1.0h0',
  );
  const d = linePath(
    [0, 10, 11].map((t) => ({ t, v: 0 })),
    (x) => x,
    (v) => v,
    3,
  );
  t.is(d, 'M0.0,0.0h0M10.0,0.0L11.0,0.0');
});

test('the readout names the time to the second, with the day over spans past a day', (t) => {
  const at = new Date(2026, 11, 2, 2, 16, 43).getTime();
  t.is(readoutTime(at, 3_600_000), '02:16:43');
  t.is(readoutTime(at, 7 * 86_400_000), 'Wed 02:16:43');
});
