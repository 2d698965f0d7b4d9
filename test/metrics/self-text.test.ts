import test from 'ava';
import fc from 'fast-check';
import { gunzipSync } from 'node:zlib';
import { nextScrapeDueAt, SelfMetricsText, servable } from '../../src/metrics/self-text.js';
import { perCollection } from '../../src/metrics/self/per-collection.js';

test('a steady scraper: the next scrape is due one interval after the last', (t) => {
  t.is(nextScrapeDueAt([10_000, 15_000, 20_002], 100), 25_004);
  t.is(nextScrapeDueAt([10_000, 15_000, 20_000], 100), 25_000);
});

test('no prediction from fewer than three scrapes, uneven gaps, or a poller faster than a second', (t) => {
  t.is(nextScrapeDueAt([], 100), null);
  t.is(nextScrapeDueAt([10_000, 15_000], 100), null);
  t.is(nextScrapeDueAt([10_000, 15_000, 17_000], 100), null); // a second scraper, or a person
  t.is(nextScrapeDueAt([10_000, 10_200, 10_400], 100), null); // a test polling
});

test('the predicted scrape is one of the last gap ahead whenever it is predicted', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1e9 }), { minLength: 3, maxLength: 3 }), (xs) => {
        const scrapes = [...xs].sort((a, b) => a - b);
        const due = nextScrapeDueAt(scrapes, 100);
        if (due === null) return true;
        const gap = scrapes[2]! - scrapes[1]!;
        return due === scrapes[2]! + gap && gap >= 1000 && Math.abs(gap - (scrapes[1]! - scrapes[0]!)) <= 100;
      }),
    ),
  );
});

test('a rendering answers only in its own epoch and within its age', (t) => {
  const r = { renderedAt: 1000, epoch: 3 };
  t.true(servable(r, 1000, 3, 250));
  t.true(servable(r, 1250, 3, 250));
  t.false(servable(r, 1251, 3, 250), 'too old');
  t.false(servable(r, 1100, 4, 250), 'something changed since');
  t.false(servable(r, 999, 3, 250), 'rendered after now: a clock that went back');
  t.false(servable(null, 1000, 3, 250));
});

/** A registry whose text says how many times it was collected, on a clock and timers the test moves. */
function harness() {
  let collections = 0;
  let now = 0;
  const timers: { at: number; fn: () => void; cleared: boolean }[] = [];
  const registry = { metrics: async () => `vigil_collections ${++collections}\n` };
  const text = new SelfMetricsText(registry, {
    clock: () => now,
    setTimer: (fn, ms) => {
      const timer = { at: now + ms, fn, cleared: false, unref: () => undefined };
      timers.push(timer);
      return timer;
    },
    clearTimer: (timer) => void ((timer as { cleared: boolean }).cleared = true),
  });
  const advance = async (to: number) => {
    now = to;
    for (const timer of timers.filter((x) => !x.cleared && x.at <= to)) {
      timer.cleared = true;
      timer.fn();
    }
    await new Promise((r) => setImmediate(r));
  };
  const read = async () => gunzipSync((await text.current()).gzipped).toString();
  return { text, advance, read, collections: () => collections, pending: () => timers.filter((x) => !x.cleared) };
}

test('after three scrapes at a steady interval, the fourth copies bytes rendered just before it', async (t) => {
  const h = harness();
  for (const at of [0, 5000, 10_000]) {
    await h.advance(at);
    h.text.scraped(at);
    await h.read();
  }
  t.is(h.collections(), 3, 'each of the first three rendered its own');
  t.is(h.pending()[0]?.at, 15_000 - 40, 'rendered 40 ms ahead of the fourth');
  await h.advance(14_960);
  t.is(h.collections(), 4, 'rendered ahead');
  await h.advance(15_003);
  h.text.scraped(15_003);
  t.is(await h.read(), 'vigil_collections 4\n', 'the fourth scrape found it ready');
  t.is(h.collections(), 4, 'and rendered nothing itself');
  t.is(await h.read(), 'vigil_collections 5\n', 'a second read at once renders its own: each ahead answers one');
});

test('a change vigil tells of, or an age past a quarter of a second, makes the scrape render its own', async (t) => {
  const h = harness();
  for (const at of [0, 5000, 10_000]) {
    await h.advance(at);
    h.text.scraped(at);
  }
  await h.advance(14_960);
  t.is(h.collections(), 1);
  h.text.changed(); // a webhook's alert acted on, say
  await h.advance(15_000);
  t.is(await h.read(), 'vigil_collections 2\n', 'the change is in the answer');
  await h.advance(15_251);
  t.is(await h.read(), 'vigil_collections 3\n', 'older than 250 ms: rendered again');
  t.is(await h.read(), 'vigil_collections 4\n', 'a rendering made for one scrape answers no other');
});

test('a scraper that is not steady gets a rendering of its own each time, and close() stops the one ahead', async (t) => {
  const h = harness();
  for (const at of [0, 300, 2000, 2100]) {
    await h.advance(at);
    h.text.scraped(at);
    t.deepEqual(h.pending(), [], `nothing ahead after the scrape at ${at}`);
  }
  for (const at of [10_000, 15_000, 20_000]) h.text.scraped(at);
  t.is(h.pending().length, 1);
  h.text.close();
  t.deepEqual(h.pending(), []);
});

test('perCollection reads once per collection and again in the next', (t) => {
  let reads = 0;
  const ends: (() => void)[] = [];
  const read = perCollection(
    () => ++reads,
    (forget) => ends.push(forget),
  );
  t.deepEqual([read(), read(), read()], [1, 1, 1]);
  ends.shift()!();
  t.deepEqual([read(), read()], [2, 2]);
  t.is(reads, 2);
});

test('perCollection forgets at the end of the turn by default', async (t) => {
  let reads = 0;
  const read = perCollection(() => ++reads);
  t.is(read() + read(), 2);
  await Promise.resolve();
  t.is(read(), 2);
});
