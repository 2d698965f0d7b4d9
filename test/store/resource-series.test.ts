import test from 'ava';
import type { SeriesPoint } from '../../src/http/api-types.js';
import { openStore } from '../../src/store/db.js';
import { ResourceSeriesStore } from '../../src/store/resource-series.js';
import { fileTempDirs } from '../helpers/temp-dir.js';

// the file's temp dirs, removed after its last test
const temp = fileTempDirs(test);

const MINUTE = 60_000;
const point = (at: number, cpuCores: number): SeriesPoint => ({
  at,
  cpuCores,
  memoryBytes: 1000 * cpuCores,
  memoryLimitBytes: 4096,
  networkRxBytesPerSecond: 10,
  networkTxBytesPerSecond: 20,
  blockReadBytesPerSecond: 0,
  blockWriteBytesPerSecond: 0,
});

function open() {
  const db = openStore(temp('series'));
  return { db, store: new ResourceSeriesStore(db) };
}

test('each sweep is kept whole; the minute and ten-minute tiers hold the mean of their sweeps', (t) => {
  const { db, store } = open();
  t.teardown(() => db.close());
  const base = 100 * 10 * MINUTE;
  for (const [i, cpu] of [1, 2, 3].entries()) store.record([{ key: 'id:a', point: point(base + i * 10_000, cpu) }]);
  store.record([{ key: 'id:a', point: point(base + MINUTE, 5) }]);
  t.deepEqual(
    store.read('id:a', 0, 0).map((p) => p.cpuCores),
    [1, 2, 3, 5],
  );
  const minutes = store.read('id:a', 1, 0);
  t.deepEqual(
    minutes.map((p) => [p.at, p.cpuCores, p.memoryBytes]),
    [
      [base, 2, 2000],
      [base + MINUTE, 5, 5000],
    ],
  );
  const tens = store.read('id:a', 2, 0);
  t.is(tens.length, 1);
  t.is(tens[0]!.cpuCores, 11 / 4);
  t.is(tens[0]!.memoryLimitBytes, 4096);
  t.deepEqual(store.read('id:b', 0, 0), [], 'another series is apart');
});

test('a sweep folds only the points it wrote into the coarser tiers, whatever their times', (t) => {
  const { db, store } = open();
  t.teardown(() => db.close());
  const base = 100 * 10 * MINUTE;
  // the second sweep's point is earlier in the same minute: it is folded once, and the first is not again
  store.record([{ key: 'id:a', point: point(base + 50_000, 4) }]);
  store.record([
    { key: 'id:a', point: point(base + 10_000, 2) },
    { key: 'id:b', point: point(base + 20_000, 6) },
  ]);
  t.deepEqual(
    store.read('id:a', 1, 0).map((p) => [p.at, p.cpuCores]),
    [[base, 3]],
  );
  t.deepEqual(
    store.read('id:b', 2, 0).map((p) => [p.at, p.cpuCores]),
    [[base, 6]],
  );
  t.is(store.rows(), 3 + 2 + 2);
});

test('prune keeps an hour of sweeps, a day of minutes and a week of ten minutes', (t) => {
  const { db, store } = open();
  t.teardown(() => db.close());
  const now = 30 * 24 * 60 * MINUTE;
  const ages = [30 * MINUTE, 2 * 60 * MINUTE, 2 * 24 * 60 * MINUTE, 8 * 24 * 60 * MINUTE];
  store.record(ages.map((age, i) => ({ key: `id:${i}`, point: point(now - age, 1) })));
  t.is(store.rows(), 12);
  store.prune(now);
  const left = (tier: 0 | 1 | 2) => [0, 1, 2, 3].filter((i) => store.read(`id:${i}`, tier, 0).length > 0);
  t.deepEqual(left(0), [0]);
  t.deepEqual(left(1), [0, 1]);
  t.deepEqual(left(2), [0, 1, 2]);
  t.is(store.rows(), 6);
});

test('200 containers over ten sweeps: a row each per sweep, one per minute and ten minutes they fall in', (t) => {
  const { db, store } = open();
  t.teardown(() => db.close());
  const rows = Array.from({ length: 200 }, (_, i) => ({ key: `id:${i}`, point: point(1_000_000, i / 100) }));
  const started = process.hrtime.bigint();
  for (let sweep = 0; sweep < 10; sweep++)
    store.record(rows.map((r) => ({ ...r, point: { ...r.point, at: r.point.at + sweep * 10_000 } })));
  const msPerSweep = Number(process.hrtime.bigint() - started) / 1e6 / 10;
  // 1 000 000 to 1 090 000 ms: three minutes (960 000, 1 020 000, 1 080 000) and one ten minutes
  t.is(store.rows(), 200 * (10 + 3 + 1));
  t.log(`${msPerSweep.toFixed(1)} ms a sweep of 200 containers`);
});
