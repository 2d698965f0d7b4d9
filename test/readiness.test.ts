import test from 'ava';
import fc from 'fast-check';
import { EventEmitter } from 'node:events';
import { readinessBody, type CheckSeverity } from '../src/http/routes/probes.js';
import { memoryProblem, ownCgroupMemoryLimit, readinessChecks, staleness } from '../src/readiness.js';

test('readinessBody: all fine is ok, each entry with its status', (t) => {
  t.deepEqual(
    readinessBody([
      { name: 'store', severity: 'critical', problem: null },
      { name: 'engine', severity: 'degraded', problem: null },
    ]),
    {
      status: 'ok',
      checks: { store: { status: 'ok', severity: 'critical' }, engine: { status: 'ok', severity: 'degraded' } },
    },
  );
});

test('readinessBody: a degraded check degrades, a critical one makes it unhealthy, each with its reason', (t) => {
  const engineDown = { name: 'engine', severity: 'degraded' as const, problem: 'cannot reach the engine' };
  t.deepEqual(readinessBody([engineDown, { name: 'store', severity: 'critical', problem: null }]), {
    status: 'degraded',
    checks: {
      engine: { status: 'degraded', reason: 'cannot reach the engine', severity: 'degraded' },
      store: { status: 'ok', severity: 'critical' },
    },
  });
  const body = readinessBody([engineDown, { name: 'store', severity: 'critical', problem: 'deleted' }]);
  t.is(body.status, 'unhealthy');
  t.deepEqual(body.checks.store, { status: 'unhealthy', reason: 'deleted', severity: 'critical' });
});

test('readinessBody: the overall status is the worst of any set of checks, whatever their order', (t) => {
  const check = fc.record({
    name: fc.string(),
    severity: fc.constantFrom<CheckSeverity>('critical', 'degraded'),
    problem: fc.option(fc.string(), { nil: null }),
  });
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.array(check), (checks) => {
        const { status } = readinessBody(checks);
        const failed = checks.filter((c) => c.problem !== null);
        if (failed.some((c) => c.severity === 'critical')) return status === 'unhealthy';
        return status === (failed.length > 0 ? 'degraded' : 'ok');
      }),
    ),
  );
});

test('staleness: fresh within three intervals, stale after with the age', (t) => {
  t.is(staleness('last sweep', 0, 15_000, 5000), null);
  t.is(staleness('last sweep', 0, 16_000, 5000), 'last sweep 16 s ago, more than three intervals (15 s)');
});

test('memoryProblem: over the percent of the limit, with the numbers', (t) => {
  t.is(memoryProblem(90 * 1048576, 100 * 1048576, 90), null);
  t.is(
    memoryProblem(95 * 1048576, 100 * 1048576, 90),
    "vigil's RSS is 95 MiB, 95 % of its 100 MiB limit (over VIGIL_READY_MEMORY_PERCENT=90)",
  );
});

const files = (map: Record<string, string>) => (path: string) => map[path] ?? null;

const cgroupTable: [string, string, Record<string, string>, number | null][] = [
  [
    'v2, limited',
    '0::/system.slice/vigil.service\n',
    { '/sys/fs/cgroup/system.slice/vigil.service/memory.max': '536870912\n' },
    536870912,
  ],
  [
    'v2, the parent is tighter',
    '0::/a/b\n',
    { '/sys/fs/cgroup/a/b/memory.max': 'max\n', '/sys/fs/cgroup/a/memory.max': '1000\n' },
    1000,
  ],
  ['v2 in a container (its own namespace): the root', '0::/\n', { '/sys/fs/cgroup/memory.max': '2048\n' }, 2048],
  ['v2, unlimited', '0::/x\n', { '/sys/fs/cgroup/x/memory.max': 'max\n' }, null],
  [
    'v1, limited',
    '12:memory:/docker/abc\n11:cpu,cpuacct:/docker/abc\n',
    { '/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes': '268435456\n' },
    268435456,
  ],
  [
    'v1 in a container: the host path is not mounted, its own root is',
    '12:memory:/docker/abc\n',
    { '/sys/fs/cgroup/memory/memory.limit_in_bytes': '4096\n' },
    4096,
  ],
  [
    'v1, unlimited (the kernel writes 2^63 rounded to a page)',
    '12:memory:/\n',
    { '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712\n' },
    null,
  ],
  ['no files at all', '0::/x\n', {}, null],
  ['empty /proc/self/cgroup', '', {}, null],
];
for (const [title, cgroup, map, expected] of cgroupTable) {
  test(`ownCgroupMemoryLimit: ${title}`, (t) => t.is(ownCgroupMemoryLimit(cgroup, files(map)), expected));
}

test('ownCgroupMemoryLimit never throws on any /proc/self/cgroup text', (t) => {
  t.notThrows(() => fc.assert(fc.property(fc.string(), (text) => (ownCgroupMemoryLimit(text, () => '1024'), true))));
});

test('readinessChecks: the event stream and the sampler go stale after three intervals without contact', async (t) => {
  let now = 1_000_000;
  const events = Object.assign(new EventEmitter(), { connected: false });
  const sampler = new EventEmitter();
  const checks = readinessChecks(
    { store: () => null, engine: () => null, hub: () => null, events, sampler, intervalMs: 1000, memoryPercent: 100 },
    () => now,
  );
  const run = async () =>
    readinessBody(
      await Promise.all(checks.map(async (c) => ({ name: c.name, severity: c.severity, problem: await c.check() }))),
    );
  t.deepEqual(Object.keys((await run()).checks), ['store', 'engine', 'memory', 'events', 'sampler', 'websocket']);
  t.is((await run()).status, 'ok');
  now += 3500;
  const stale = await run();
  t.is(stale.status, 'degraded');
  t.like(stale.checks.events, { status: 'degraded' });
  t.like(stale.checks.sampler, { status: 'degraded' });
  t.regex(stale.checks.sampler!.reason!, /last sampling sweep 4 s ago/);
  sampler.emit('sweep');
  events.emit('event');
  t.is((await run()).status, 'ok');
  now += 3500;
  events.connected = true;
  t.like((await run()).checks, { events: { status: 'ok' }, sampler: { status: 'degraded' } });
});
