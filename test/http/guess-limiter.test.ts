import test from 'ava';
import fc from 'fast-check';
import { GuessLimiter } from '../../src/http/guess-limiter.js';

const options = { max: 3, windowMs: 60_000, maxClients: 100 };

test('past the limit an address waits until its oldest failure leaves the window; others are free', (t) => {
  let now = 0;
  const limiter = new GuessLimiter(options, () => now);
  for (const at of [0, 10_000, 20_000]) {
    now = at;
    t.is(limiter.retryAfterMs('a'), 0);
    limiter.failed('a');
  }
  t.is(limiter.retryAfterMs('a'), 40_000, 'the failure at 0 leaves at 60 s');
  t.is(limiter.retryAfterMs('b'), 0);
  now = 60_001;
  t.is(limiter.retryAfterMs('a'), 0);
  now = 200_000;
  t.is(limiter.retryAfterMs('a'), 0);
  t.is(limiter.size, 0, 'an address whose failures all aged out is forgotten');
});

test('many guessing addresses hold at most maxClients entries', (t) => {
  const limiter = new GuessLimiter(options, () => 0);
  for (let i = 0; i < 1000; i++) limiter.failed(`10.0.${i >> 8}.${i & 255}`);
  t.is(limiter.size, 100);
});

test('property: no address gets more than max tries counted within any window', (t) => {
  let checked = 0;
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom('a', 'b'), fc.integer({ min: 0, max: 30_000 })), { maxLength: 60 }),
      (steps) => {
        let now = 0;
        const limiter = new GuessLimiter(options, () => now);
        const tried: Record<string, number[]> = { a: [], b: [] };
        for (const [client, gap] of steps) {
          now += gap;
          if (limiter.retryAfterMs(client) > 0) continue; // refused: not a try
          tried[client]!.push(now);
          limiter.failed(client);
        }
        for (const times of Object.values(tried)) {
          for (const start of times) {
            checked++;
            if (times.filter((x) => x >= start && x < start + options.windowMs).length > options.max) return false;
          }
        }
        return true;
      },
    ),
  );
  t.true(checked > 0);
});
