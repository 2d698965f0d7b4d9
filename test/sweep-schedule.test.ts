import test from 'ava';
import fc from 'fast-check';
import { sweepDelay } from '../src/sweep-schedule.js';

const I = 5000;

test('with no scrape seen, sweeps keep the plain interval', (t) => {
  t.is(sweepDelay(123_456, I, null), I);
});

test('a sweep half an interval after the scrapes keeps that phase exactly', (t) => {
  // scraped at 10 s; a sweep ended at 12.5 s + 30 ms: the next starts at 17.5 s
  t.is(sweepDelay(12_530, I, 10_000), I - 30);
});

test('a sweep that ends just after a scrape moves a quarter of an interval towards the middle', (t) => {
  const cases: [now: number, lastScrapeAt: number, delay: number][] = [
    [10_010, 10_000, I + I / 4], // the middle is 2.49 s or 7.49 s away: at most 6.25 s
    [9_990, 10_000, I - I / 4], // just before a scrape: the middle is 2.51 s away, at least 3.75 s
    [11_000, 10_000, I + I / 4], // 1.5 s away or 6.5 s: 6.25
    [14_000, 10_000, I - I / 4], // 3.5 s away: 3.75
    [13_000, 10_000, 4_500], // already past the middle by 0.5 s: 4.5 s
    [12_000, 10_000, 5_500], // 0.5 s before the middle
  ];
  for (const [now, at, delay] of cases) t.is(sweepDelay(now, I, at), delay, `now ${now}, scraped ${at}`);
});

test('the delay stays within a quarter of an interval of it, and a sweep on the phase stays on it', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 600_000 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: -(2 ** 30), max: 2 ** 30 }),
        (interval, now, sinceScrape) => {
          const delay = sweepDelay(now, interval, now - sinceScrape);
          if (delay < interval * 0.75 - 1e-6 || delay > interval * 1.25 + 1e-6) return false;
          // starting the next sweep at now + delay, then again, converges on the middle within 3 sweeps
          let at = now;
          for (let i = 0; i < 3; i++) at += sweepDelay(at, interval, now - sinceScrape);
          const phase = (((at - (now - sinceScrape)) % interval) + interval) % interval;
          return Math.abs(phase - interval / 2) < 1e-6 && sweepDelay(at, interval, now - sinceScrape) === interval;
        },
      ),
    ),
  );
});
