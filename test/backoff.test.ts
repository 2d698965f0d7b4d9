import test from 'ava';
import { backoffDelay } from '../src/backoff.js';

test('the delay doubles from the initial value up to the cap', (t) => {
  const policy = { initialMs: 10_000, maxMs: 300_000 };
  t.deepEqual(
    [0, 1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, policy)),
    [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000],
  );
});

test('a custom factor is honoured and a negative attempt counts as the first', (t) => {
  t.is(backoffDelay(2, { initialMs: 100, maxMs: 10_000, factor: 3 }), 900);
  t.is(backoffDelay(-1, { initialMs: 100, maxMs: 10_000 }), 100);
});
