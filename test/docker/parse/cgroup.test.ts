import test from 'ava';
import fc from 'fast-check';
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cgroupFilePaths,
  flatKeyedValue,
  parseBlkioV1,
  parseCgroupV1,
  parseIoStatV2,
  parseNetDev,
  parseProcCgroup,
} from '../../../src/docker/parse/cgroup.js';
import { parseStatsJson, type StatsJson } from '../../../src/docker/parse/stats-json.js';
import { CgroupStatsSource } from '../../../src/docker/stats/cgroup.js';
import type { ContainerRecord } from '../../../src/docker/types.js';
import { fixtureJson, fixtureText } from '../../helpers/fixtures.js';
import { tempDir } from '../../helpers/temp-dir.js';

const v1 = (f: string) => fixtureText(`engine/cgroup-v1-fx-plain/${f}`);
const noLimits: ContainerRecord['limits'] = { memoryBytes: null, cpuCores: null };

test('/proc/<pid>/cgroup on a hybrid v1 host gives each controller its path and the unified path', (t) => {
  const m = parseProcCgroup(v1('proc-pid-cgroup'));
  t.regex(m.v1.cpuacct!, /^\/vigil-test-[^/]+\/[0-9a-f]{64}$/);
  // the memory controller is nested deeper on this host; each controller keeps its own path
  t.regex(m.v1.memory!, /\/process_api\/.*\/[0-9a-f]{64}$/);
  t.truthy(m.v1.pids);
  t.is(m.v1['name=systemd'], m.v1.pids);
  t.regex(m.v2!, /[0-9a-f]{64}$/);
});

test('joint controllers such as cpu,cpuacct are each given the path', (t) => {
  const m = parseProcCgroup('4:cpu,cpuacct:/docker/abc\n3:memory:/docker/abc\n');
  t.is(m.v1.cpu, '/docker/abc');
  t.is(m.v1.cpuacct, '/docker/abc');
  t.is(m.v2, null);
});

test('recorded v1 files parse to what the engine reported from the same cgroup', (t) => {
  const sample = parseCgroupV1({
    'cpuacct.usage': v1('cpuacct.usage'),
    'memory.usage_in_bytes': v1('memory.usage_in_bytes'),
    'memory.stat': v1('memory.stat'),
    'pids.current': v1('pids.current'),
    'blkio.throttle.io_service_bytes_recursive': v1('blkio.throttle.io_service_bytes_recursive'),
    netDev: v1('proc-pid-net-dev'),
  });
  const engine = parseStatsJson(fixtureJson<StatsJson>('engine/cgroup-v1-fx-plain/engine-stats.json'), 25_276_510_208);
  // the container holds 48 MiB in /dev/shm: shared memory is never inactive file cache
  t.true(sample.memoryWorkingSetBytes >= 48 * 1024 * 1024);
  t.true(Math.abs(sample.memoryWorkingSetBytes - engine.memoryWorkingSetBytes) / engine.memoryWorkingSetBytes < 0.05);
  t.is(sample.pids, engine.pids);
  t.is(sample.memoryLimitBytes, null, 'PAGE_COUNTER_MAX means unlimited');
  t.true(sample.cpuSeconds > 0);
  t.is(sample.networkRxBytes, 0, 'a --network none container has only loopback, which does not count');
});

test('one key is read from a flat-keyed file wherever it stands, and an absent key is undefined', (t) => {
  const stat = v1('memory.stat');
  t.is(flatKeyedValue(stat, 'cache'), Number(/^cache (\d+)$/m.exec(stat)![1]), 'the first line');
  t.is(flatKeyedValue(stat, 'total_inactive_file'), Number(/^total_inactive_file (\d+)$/m.exec(stat)![1]));
  t.is(
    flatKeyedValue(stat, 'inactive_file'),
    Number(/^inactive_file (\d+)$/m.exec(stat)![1]),
    'not confused with total_inactive_file',
  );
  t.is(flatKeyedValue(stat, 'no_such_key'), undefined);
  t.is(flatKeyedValue('usage_usec 42', 'usage_usec'), 42, 'no trailing newline');
});

test('a v1 limit set by --memory, or by a parent cgroup, is read from hierarchical_memory_limit', (t) => {
  const files = {
    'cpuacct.usage': '0',
    'memory.usage_in_bytes': '1000',
    'pids.current': '1',
    'blkio.throttle.io_service_bytes_recursive': 'Total 0',
    netDev: '',
    'memory.stat': 'cache 0\ntotal_inactive_file 100\nhierarchical_memory_limit 67108864\n',
  };
  const s = parseCgroupV1(files);
  t.is(s.memoryLimitBytes, 67108864);
  t.is(s.memoryWorkingSetBytes, 900);
});

test('v1 blkio lines are summed per operation over devices, and the Total line is ignored', (t) => {
  const text =
    '8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 8192\n8:0 Async 4096\n8:0 Discard 0\n8:0 Total 12288\n253:1 Read 1000\n253:1 Write 24\nTotal 13312\n';
  t.deepEqual(parseBlkioV1(text), { read: 5096, write: 8216 });
  t.deepEqual(parseBlkioV1('Total 0\n'), { read: 0, write: 0 });
});

test('v2 io.stat sums rbytes and wbytes over devices', (t) => {
  t.deepEqual(
    parseIoStatV2(
      '8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n253:0 rbytes=5 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n',
    ),
    {
      read: 15,
      write: 20,
    },
  );
  t.deepEqual(parseIoStatV2(''), { read: 0, write: 0 });
});

test('net/dev counts every interface but loopback', (t) => {
  const text = fixtureText('cgroup-v2/cgroupfs/proc/4242/net/dev');
  t.deepEqual(parseNetDev(text), { rx: 1069547, tx: 534773 });
});

test('file paths on v1 put each file under its own controller', (t) => {
  const paths = cgroupFilePaths(
    { v1: { cpuacct: '/d/x', memory: '/m/x', pids: '/d/x', blkio: '/d/x' }, v2: null },
    '/sys/fs/cgroup',
    false,
  );
  t.is(paths?.version, 1);
  t.like(paths!.files, {
    'cpuacct.usage': '/sys/fs/cgroup/cpuacct/d/x/cpuacct.usage',
    'memory.stat': '/sys/fs/cgroup/memory/m/x/memory.stat',
    'pids.current': '/sys/fs/cgroup/pids/d/x/pids.current',
  });
});

test('no paths when a needed controller is missing or the unified path is absent', (t) => {
  t.is(cgroupFilePaths({ v1: { cpuacct: '/x' }, v2: null }, '/sys/fs/cgroup', false), null);
  t.is(cgroupFilePaths({ v1: {}, v2: null }, '/sys/fs/cgroup', true), null);
});

const fixtureDir = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const v2Record = (pid: number): ContainerRecord =>
  ({
    id: '3f2a9c1e7b4d5a6f8e9d0c1b2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a1f',
    pid,
    state: 'running',
    limits: noLimits,
  }) as ContainerRecord;

for (const driver of ['cgroupfs', 'systemd'] as const) {
  test(`the cgroup source reads a v2 host with the ${driver} driver`, async (t) => {
    const base = join(fixtureDir, 'cgroup-v2', driver);
    const source = new CgroupStatsSource(join(base, 'sys/fs/cgroup'), join(base, 'proc'));
    t.true(source.unified);
    const samples = await source.sample([v2Record(4242)]);
    const s = samples.get(v2Record(4242).id);
    t.truthy(s);
    t.is(s!.cpuSeconds, 8.153247);
    t.is(s!.memoryUsageBytes, 52_183_040);
    t.is(s!.memoryWorkingSetBytes, 52_183_040 - 12_582_912);
    t.is(s!.memoryLimitBytes, driver === 'systemd' ? 268_435_456 : null);
    t.is(s!.pids, 3);
    t.is(s!.blockReadBytes, 3_145_728);
    t.is(s!.blockWriteBytes, 4_194_304);
    t.is(s!.networkRxBytes, 1_069_547);
    t.is(s!.networkTxBytes, 534_773);
  });
}

test('the cgroup source reads a v1 host laid out from the recorded files', async (t) => {
  const root = tempDir(t, 'cgv1');
  const membership = parseProcCgroup(v1('proc-pid-cgroup'));
  const pid = 777;
  mkdirSync(join(root, 'proc', String(pid), 'net'), { recursive: true });
  copyFileSync(
    join(fixtureDir, 'engine/cgroup-v1-fx-plain/proc-pid-cgroup'),
    join(root, 'proc', String(pid), 'cgroup'),
  );
  copyFileSync(
    join(fixtureDir, 'engine/cgroup-v1-fx-plain/proc-pid-net-dev'),
    join(root, 'proc', String(pid), 'net', 'dev'),
  );
  const layout = cgroupFilePaths(membership, join(root, 'cgroup'), false)!;
  for (const [file, path] of Object.entries(layout.files)) {
    mkdirSync(join(path, '..'), { recursive: true });
    copyFileSync(join(fixtureDir, 'engine/cgroup-v1-fx-plain', file), path);
  }
  mkdirSync(join(root, 'cgroup', 'memory'), { recursive: true });
  const source = new CgroupStatsSource(join(root, 'cgroup'), join(root, 'proc'));
  t.false(source.unified);
  const id = '15ed8c116c1b130fa553125ad97f6c100e13cc54cb6fc564525ac9923c2df627';
  const record = { id, pid, state: 'running', limits: noLimits } as ContainerRecord;
  const s = (await source.sample([record])).get(id);
  t.is(s?.cpuSeconds, Number(v1('cpuacct.usage')) / 1e9);
  t.is(s?.pids, Number(v1('pids.current')));
  // a pid with no cgroup file (the container just stopped) is left out, not an error
  const gone = await source.sample([
    { id: 'gone', pid: 999999, state: 'running', limits: noLimits } as ContainerRecord,
  ]);
  t.is(gone.size, 0);
  // a pid whose cgroup is not the container's (an engine on another machine, a reused pid) is not read
  const other = await source.sample([
    { id: 'a'.repeat(64), pid, state: 'running', limits: noLimits } as ContainerRecord,
  ]);
  t.is(other.size, 0);
});

// Property: the kernel's files are trusted for shape, not for content: whatever text a file holds, the
// parsers give numbers (never NaN, never negative) or nothing, and never throw.
const noisyLines = fc
  .array(
    fc.oneof(
      fc
        .tuple(fc.constantFrom('rbytes', 'wbytes', 'Read', 'Write', 'file', 'anon', 'x'), fc.nat())
        .map(([k, v]) => `${k} ${v}`),
      fc
        .tuple(fc.constantFrom('8:0', '253:1'), fc.constantFrom('rbytes=', 'wbytes=', 'rios='), fc.nat())
        .map(([d, k, v]) => `${d} ${k}${v}`),
      fc.string({ maxLength: 40 }),
    ),
    { maxLength: 12 },
  )
  .map((lines) => lines.join('\n'));

test('property: cgroup and /proc texts of any content give finite, non-negative numbers or nothing', (t) => {
  fc.assert(
    fc.property(noisyLines, fc.constantFrom('file', 'anon', 'total_rss', 'Read'), (text, key) => {
      const value = flatKeyedValue(text, key);
      if (value !== undefined) t.true(Number.isFinite(value) && value >= 0);
      for (const io of [parseBlkioV1(text), parseIoStatV2(text)]) {
        t.true(Number.isFinite(io.read) && io.read >= 0 && Number.isFinite(io.write) && io.write >= 0);
      }
      const net = parseNetDev(`Inter-|\n face |\n${text}`);
      t.true(Number.isFinite(net.rx) && net.rx >= 0 && Number.isFinite(net.tx) && net.tx >= 0);
      parseProcCgroup(text);
    }),
    { numRuns: 1000, seed: 5 },
  );
});

test('property: net/dev and blkio sum every counted line, as many as a reading of each line finds', (t) => {
  const count = (v: string | undefined) => (v !== undefined && /^\d{1,20}$/.test(v) ? Number(v) : 0);
  // the plain reading, line by line, that the parsers do without splitting what they can pass over
  const netDevByLines = (text: string) =>
    text.split('\n').reduce(
      (sum, line) => {
        const colon = line.indexOf(':');
        const iface = line.slice(0, Math.max(0, colon)).trim();
        if (colon < 0 || iface === 'lo' || iface.includes('|')) return sum;
        const fields = line
          .slice(colon + 1)
          .trim()
          .split(/\s+/);
        return { rx: sum.rx + count(fields[0]), tx: sum.tx + count(fields[8]) };
      },
      { rx: 0, tx: 0 },
    );
  const iface = fc.constantFrom('lo', 'eth0', 'veth1a2b', ' wg0', 'face |bytes');
  const counters = fc.array(fc.oneof(fc.nat({ max: 2 ** 40 }).map(String), fc.constantFrom('-1', 'x', '')), {
    minLength: 0,
    maxLength: 16,
  });
  const netLine = fc
    .tuple(iface, counters, fc.constantFrom(' ', '   ', '\t'))
    .map(([name, values, gap]) => `${name}:${gap}${values.join(gap)}`);
  const lines = fc.array(fc.oneof(netLine, fc.string({ maxLength: 30 })), { maxLength: 8 });
  t.notThrows(() =>
    fc.assert(
      fc.property(lines, fc.boolean(), (l, trailingNewline) => {
        const text = `Inter-|   Receive\n face |bytes\n${l.join('\n')}${trailingNewline ? '\n' : ''}`;
        const { rx, tx } = parseNetDev(text);
        const expected = netDevByLines(text);
        return rx === expected.rx && tx === expected.tx;
      }),
      { numRuns: 2000 },
    ),
  );
  const blkioLine = fc
    .tuple(fc.constantFrom('8:0', '253:1', 'Total'), fc.constantFrom('Read', 'Write', 'Sync'), fc.nat({ max: 2 ** 40 }))
    .map(([device, op, v]) => (device === 'Total' ? `Total ${v}` : `${device} ${op} ${v}`));
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.array(blkioLine, { maxLength: 8 }), (l) => {
        const text = `${l.join('\n')}\n`;
        let read = 0;
        let write = 0;
        for (const line of l) {
          const [device, op, v] = line.split(' ');
          if (!device!.includes(':')) continue;
          if (op === 'Read') read += Number(v);
          if (op === 'Write') write += Number(v);
        }
        const parsed = parseBlkioV1(text);
        return parsed.read === read && parsed.write === write;
      }),
    ),
  );
});

test('property: io.stat sums every device, whatever the order of its fields', (t) => {
  const device = fc.record({ r: fc.nat({ max: 2 ** 40 }), w: fc.nat({ max: 2 ** 40 }), swap: fc.boolean() });
  fc.assert(
    fc.property(fc.array(device, { maxLength: 6 }), (devices) => {
      const text = devices
        .map((d, i) => {
          const fields = [`rbytes=${d.r}`, `wbytes=${d.w}`, 'rios=3', 'wios=4'];
          return `${8 + i}:0 ${(d.swap ? fields.reverse() : fields).join(' ')}`;
        })
        .join('\n');
      t.deepEqual(parseIoStatV2(text), {
        read: devices.reduce((s, d) => s + d.r, 0),
        write: devices.reduce((s, d) => s + d.w, 0),
      });
    }),
    { numRuns: 500, seed: 6 },
  );
});

test.serial(
  'the cgroup source reads its held files again each sweep, and lets them go with the container',
  async (t) => {
    const base = join(fixtureDir, 'cgroup-v2', 'cgroupfs');
    const root = tempDir(t, 'cgheld');
    cpSync(base, root, { recursive: true });
    const source = new CgroupStatsSource(join(root, 'sys/fs/cgroup'), join(root, 'proc'));
    const record = v2Record(4242);
    // descriptors onto this test's own files: the fd table is the process's, shared by every test file
    // running in a worker thread beside this one
    const openFiles = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).startsWith(root);
        } catch {
          return false; // closed since the listing
        }
      }).length;
    const before = openFiles();
    const first = (await source.sample([record])).get(record.id)!;
    t.true(openFiles() > before, 'the files stay open between sweeps');
    const cpuStat = readdirSync(join(root, 'sys/fs/cgroup'), { recursive: true, encoding: 'utf8' }).find((f) =>
      f.endsWith('cpu.stat'),
    )!;
    const path = join(root, 'sys/fs/cgroup', cpuStat);
    writeFileSync(path, readFileSync(path, 'utf8').replace(/^usage_usec \d+/m, 'usage_usec 9000000'));
    const second = (await source.sample([record])).get(record.id)!;
    t.not(second.cpuSeconds, first.cpuSeconds);
    t.is(second.cpuSeconds, 9);
    await source.sample([]);
    t.is(openFiles(), before, 'a container no longer running has its files closed');
  },
);
