import { readFileSync } from 'node:fs';
import test from 'ava';
import fc from 'fast-check';
import { cpuUtilisation, parseLoadavg, parseMeminfo, parseProcStat } from '../../src/resources/proc.js';

const recorded = (name: string) => readFileSync(new URL(`../fixtures/proc/${name}`, import.meta.url), 'utf8');

test('parseProcStat reads the aggregate cpu line of a recorded /proc/stat', (t) => {
  // cpu  565320 838 99402 70100 538 0 1412 1381 0 0: idle 70100 + iowait 538
  t.deepEqual(parseProcStat(recorded('stat')), { busy: 565320 + 838 + 99402 + 1412 + 1381, total: 738991 });
});

test('cpuUtilisation between two recorded readings: every core busy (idle did not move)', (t) => {
  const before = parseProcStat(recorded('stat'))!;
  const after = parseProcStat(recorded('stat.later'))!;
  t.is(cpuUtilisation(before, after), 1);
});

const statTable: [string, string, { busy: number; total: number } | null][] = [
  ['idle and iowait are not busy', 'cpu  10 0 10 70 10 0 0 0 0 0\n', { busy: 20, total: 100 }],
  ['guest time is in user already, not counted twice', 'cpu  50 0 0 50 0 0 0 0 40 0\n', { busy: 50, total: 100 }],
  ['steal is busy (someone else had the core)', 'cpu  0 0 0 90 0 0 0 10\n', { busy: 10, total: 100 }],
  ['an old kernel with only four fields', 'cpu 1 2 3 4\n', { busy: 6, total: 10 }],
  ['only per-core lines: none', 'cpu0 1 2 3 4\n', null],
  ['empty', '', null],
  ['not numbers', 'cpu  a b c d\n', null],
  ['too few fields', 'cpu  1 2\n', null],
];
for (const [title, text, expected] of statTable) {
  test(`parseProcStat: ${title}`, (t) => t.deepEqual(parseProcStat(text), expected));
}

test('cpuUtilisation: a quarter busy, no time passed, counters that went back', (t) => {
  t.is(cpuUtilisation({ busy: 100, total: 400 }, { busy: 125, total: 500 }), 0.25);
  t.is(cpuUtilisation({ busy: 100, total: 400 }, { busy: 100, total: 400 }), null);
  t.is(cpuUtilisation({ busy: 100, total: 400 }, { busy: 90, total: 500 }), null);
});

test('cpuUtilisation is a share from 0 to 1 of any two readings, or null', (t) => {
  const times = fc.record({ busy: fc.nat(), total: fc.nat() });
  t.notThrows(() =>
    fc.assert(
      fc.property(times, times, (a, b) => {
        const u = cpuUtilisation(a, b);
        return u === null || (u >= 0 && u <= 1);
      }),
    ),
  );
});

test('parseProcStat never throws and gives busy ≤ total for any text', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(fc.nat(), { maxLength: 12 }).map((n) => `cpu  ${n.join(' ')}\n`),
        ),
        (text) => {
          const r = parseProcStat(text);
          return r === null || (r.busy >= 0 && r.busy <= r.total);
        },
      ),
    ),
  );
});

test('parseMeminfo reads MemTotal and MemAvailable of a recorded /proc/meminfo, in bytes', (t) => {
  const text = recorded('meminfo');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)![1]) * 1024;
  t.deepEqual(parseMeminfo(text), { totalBytes: kib('MemTotal'), availableBytes: kib('MemAvailable') });
});

const memTable: [string, string, { totalBytes: number; availableBytes: number } | null][] = [
  [
    'MemAvailable, not MemFree',
    'MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 600 kB\n',
    { totalBytes: 1024000, availableBytes: 614400 },
  ],
  [
    'a kernel before 3.14: MemFree',
    'MemTotal: 1000 kB\nMemFree: 100 kB\n',
    { totalBytes: 1024000, availableBytes: 102400 },
  ],
  ['no MemTotal', 'MemFree: 100 kB\n', null],
  ['a zero total', 'MemTotal: 0 kB\nMemAvailable: 0 kB\n', null],
  [
    'available past the total is the total',
    'MemTotal: 10 kB\nMemAvailable: 20 kB\n',
    { totalBytes: 10240, availableBytes: 10240 },
  ],
];
for (const [title, text, expected] of memTable) {
  test(`parseMeminfo: ${title}`, (t) => t.deepEqual(parseMeminfo(text), expected));
}

test('parseLoadavg: a recorded /proc/loadavg, and what is not one', (t) => {
  const [one, five, fifteen] = recorded('loadavg').split(' ').map(Number);
  t.deepEqual(parseLoadavg(recorded('loadavg')), { 1: one, 5: five, 15: fifteen });
  t.deepEqual(parseLoadavg('0.50 1.25 2.00 1/100 42\n'), { 1: 0.5, 5: 1.25, 15: 2 });
  t.is(parseLoadavg(''), null);
  t.is(parseLoadavg('a b c'), null);
  t.is(parseLoadavg('1 2'), null);
});

test('parseMeminfo and parseLoadavg never throw', (t) => {
  t.notThrows(() => fc.assert(fc.property(fc.string(), (text) => (parseMeminfo(text), parseLoadavg(text), true))));
});
