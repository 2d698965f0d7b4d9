import { EventEmitter } from 'node:events';
import { closeSync, openSync, readdirSync } from 'node:fs';
import zlib from 'node:zlib';
import test from 'ava';
import { Gauge } from 'prom-client';
import { ProcessMetricsText } from '../../src/metrics/process-metrics.js';

/** A sampler that sweeps when the test says so. */
const sweeper = () => new EventEmitter<{ sweep: [] }>();
const swept = async (text: ProcessMetricsText, sampler: ReturnType<typeof sweeper>) => {
  sampler.emit('sweep');
  // the open-file count lands in the thread pool, then the rendering follows
  await new Promise((r) => setTimeout(r, 0));
  return text.prepare();
};

test('process metrics are collected when a sweep ends, and scrapes between sweeps get those bytes', async (t) => {
  const sampler = sweeper();
  const text = new ProcessMetricsText(sampler);
  let collections = 0;
  new Gauge({
    name: 'test_collections',
    help: 'Times the registry was collected.',
    registers: [text.registry],
    collect() {
      this.set(++collections);
    },
  });
  const first = await text.current();
  t.is(collections, 1, 'before the first sweep: collected once, on demand');
  t.is(await text.current(), first);
  t.is(await text.current(), first, 'no collection per scrape');
  t.is(collections, 1);
  await swept(text, sampler);
  const second = await text.current();
  t.not(second, first);
  t.true(collections >= 2);
  t.true(second.bytes.toString().includes(`test_collections ${collections}\n`));
  t.is(zlib.gunzipSync(second.gzipped).toString(), second.bytes.toString(), 'the gzip member holds the same text');
  const json = JSON.parse(`[${(await text.currentJson()).toString()}]`) as { name: string }[];
  t.true(
    json.some((f) => f.name === 'test_collections'),
    'the JSON has the same families',
  );
  t.is(await text.currentJson(), await text.currentJson(), 'collected once per sweep');
});

test("prom-client's process metrics are there, without the misnamed _total gauges", async (t) => {
  const text = (await new ProcessMetricsText(sweeper()).current()).bytes.toString();
  for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_p50_seconds'])
    t.regex(text, new RegExp(`^${name} `, 'm'), name);
  t.notRegex(text, /^nodejs_active_handles_total/m);
  if (process.platform === 'linux') t.regex(text, /^process_open_fds \d+$/m);
});

test('process_open_fds counts the descriptors open when a sweep ends, as many as a listing finds', async (t) => {
  const sampler = sweeper();
  const text = new ProcessMetricsText(sampler);
  const openFds = async () => {
    sampler.emit('sweep');
    await text.settled();
    const value = /^process_open_fds (\d+)$/m.exec((await text.current()).bytes.toString())?.[1];
    return Number(value);
  };
  const before = await openFds();
  const extra = Array.from({ length: 500 }, () => openSync('/dev/null', 'r'));
  try {
    const during = await openFds();
    const listed = readdirSync('/proc/self/fd').length - 1;
    t.true(during >= before + 500, `${before} before, ${during} with 500 more open`);
    // other workers of this process open and close files meanwhile, so near, not equal
    t.true(Math.abs(during - listed) < 50, `${during} counted, ${listed} listed`);
  } finally {
    for (const fd of extra) closeSync(fd);
  }
  t.true((await openFds()) < before + 100, 'closed descriptors are no longer counted');
});

test('the text and the JSON are of one collection: the same series with the same values', async (t) => {
  const sampler = sweeper();
  const text = new ProcessMetricsText(sampler);
  await swept(text, sampler);
  const lines = (await text.current()).bytes
    .toString()
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
  const families = JSON.parse(`[${(await text.currentJson()).toString()}]`) as {
    name: string;
    values: { labels: Record<string, string | number>; value: number | null; metricName?: string }[];
  }[];
  const fromJson = families.flatMap((f) =>
    f.values.map((v) => {
      const labels = Object.entries(v.labels).map(([k, l]) => `${k}="${String(l)}"`);
      // JSON has no NaN: JSON.stringify writes null
      const value = v.value === null ? 'NaN' : String(v.value);
      return `${v.metricName ?? f.name}${labels.length ? `{${labels.join(',')}}` : ''} ${value}`;
    }),
  );
  t.deepEqual(lines, fromJson);
  t.true(lines.some((l) => l.startsWith('nodejs_gc_duration_seconds_bucket{le="+Inf"') || l.startsWith('nodejs_heap')));
});
