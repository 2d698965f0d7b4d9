import test from 'ava';
import fc from 'fast-check';
import { apiStatsInFlight, ENGINE_STATS_TICK_MS, MAX_API_STATS_IN_FLIGHT } from '../../../src/docker/stats/api.js';

test('at 200 containers and a 5 s interval, calls go in two rounds of 100, within half the interval', (t) => {
  t.is(apiStatsInFlight(200, 5000, 8), 100);
});

test('a few containers never go below the configured floor', (t) => {
  t.is(apiStatsInFlight(3, 5000, 8), 8);
});

test('an interval shorter than two collector ticks sends every container at once', (t) => {
  t.is(apiStatsInFlight(40, 1000, 8), 40);
});

test('a thousand containers are capped at the most sockets vigil holds open on the engine', (t) => {
  t.is(apiStatsInFlight(1000, 5000, 8), MAX_API_STATS_IN_FLIGHT);
});

test('in flight, a sweep ends within half the interval whenever the cap allows it', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 5000 }),
      fc.integer({ min: 1000, max: 600_000 }),
      fc.integer({ min: 1, max: 256 }),
      (containers, intervalMs, floor) => {
        const inFlight = apiStatsInFlight(containers, intervalMs, floor);
        if (inFlight < Math.max(1, floor) || inFlight > Math.max(floor, MAX_API_STATS_IN_FLIGHT)) return false;
        const rounds = Math.ceil(containers / inFlight);
        const withinHalf = rounds * ENGINE_STATS_TICK_MS <= Math.max(ENGINE_STATS_TICK_MS, intervalMs / 2);
        return withinHalf || inFlight === MAX_API_STATS_IN_FLIGHT;
      },
    ),
    { seed: 11 },
  );
  t.true(apiStatsInFlight(5000, 5000, 1) === MAX_API_STATS_IN_FLIGHT);
});
