import test from 'ava';
import { cpuPercent, isSampled, type ContainerSnapshot } from '../src/sampler.js';
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
