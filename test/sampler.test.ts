import test from 'ava';
import { pino } from 'pino';
import type { Inventory } from '../src/docker/inventory.js';
import { cpuPercent, isSampled, Sampler, type ContainerSnapshot } from '../src/sampler.js';
import { installFakeClock } from './helpers/fake-clock.js';
import type { ContainerRecord, ResourceSample } from '../src/docker/types.js';

const sample = (cpuSeconds: number): ResourceSample => ({
  cpuSeconds,
  memoryUsageBytes: 0,
  memoryWorkingSetBytes: 0,
  memoryLimitBytes: null,
  networkRxBytes: 0,
  networkTxBytes: 0,
  blockReadBytes: 0,
  blockWriteBytes: 0,
  pids: 1,
});
const previous: ContainerSnapshot = {
  sampledAt: 10_000,
  sample: sample(5),
  cpuPercent: null,
  source: 'cgroup',
  pid: 42,
};

test('CPU percent is the CPU time used over the wall time between two readings', (t) => {
  t.is(cpuPercent(previous, sample(6), 42, 12_000), 50);
  t.is(cpuPercent(previous, sample(9), 42, 12_000), 200, 'two busy cores');
});

test('no percent without a previous reading of the same run', (t) => {
  t.is(cpuPercent(undefined, sample(6), 42, 12_000), null);
  t.is(cpuPercent(previous, sample(6), 43, 12_000), null, 'another pid: the container restarted');
  t.is(cpuPercent(previous, sample(1), 42, 12_000), null, 'the counter went back');
  t.is(cpuPercent(previous, sample(6), 42, 10_000), null, 'no time passed');
});

test('running and paused containers with a pid are sampled; others are not', (t) => {
  t.true(isSampled({ state: 'running', pid: 5 } as ContainerRecord));
  t.true(isSampled({ state: 'paused', pid: 5 } as ContainerRecord));
  t.false(isSampled({ state: 'exited', pid: 0 } as ContainerRecord));
  t.false(isSampled({ state: 'running', pid: 0 } as ContainerRecord));
});

test.serial('sweeps move to half an interval after the scrapes, then keep the interval', async (t) => {
  const clock = installFakeClock(0);
  t.teardown(() => clock.uninstall());
  const inventory = { all: () => [] } as unknown as Inventory;
  const sampler = new Sampler(inventory, [], pino({ level: 'silent' }), 5000);
  const sweptAt: number[] = [];
  sampler.on('sweep', () => sweptAt.push(Date.now()));
  // Prometheus scrapes at 1 s past each 5 s
  sampler.keepClearOf(() => (Date.now() < 1000 ? null : Math.floor((Date.now() - 1000) / 5000) * 5000 + 1000));
  sampler.start();
  await clock.tickAsync(40_000);
  await sampler.stop();
  // the first scrape is seen at 5 s: 3.5 s to the middle, moved by at most 1.25 s, then 4.75 s
  t.deepEqual(sweptAt.slice(0, 4), [0, 5000, 8750, 13_500]);
  const phases = sweptAt.slice(3).map((at) => (at - 1000) % 5000);
  t.true(
    phases.every((p) => p === 2500),
    `sweeps at ${sweptAt.join(', ')}`,
  );
  const gaps = sweptAt.slice(4).map((at, i) => at - sweptAt[i + 3]!);
  t.true(
    gaps.every((g) => g === 5000),
    'then every interval is the configured one',
  );
});
