import test from 'ava';
import fc from 'fast-check';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cgroupFilePaths, parseProcCgroup } from '../../../src/docker/parse/cgroup.js';
import {
  CgroupStatsSource,
  MEMORY_STAT_REUSE_MS,
  memoryStatDue,
  type MemoryStatReading,
} from '../../../src/docker/stats/cgroup.js';
import type { ContainerRecord } from '../../../src/docker/types.js';
import { tempDir, type Teardowns } from '../../helpers/temp-dir.js';

const recorded = fileURLToPath(new URL('../../fixtures/engine/cgroup-v1-fx-plain/', import.meta.url));
const id = '15ed8c116c1b130fa553125ad97f6c100e13cc54cb6fc564525ac9923c2df627';
const pid = 777;

/** A v1 host laid out from the files recorded from a real engine's container; returns where each file is. */
function v1Host(t: Teardowns) {
  const root = tempDir(t, 'cgv1-reuse');
  mkdirSync(join(root, 'proc', String(pid), 'net'), { recursive: true });
  copyFileSync(join(recorded, 'proc-pid-cgroup'), join(root, 'proc', String(pid), 'cgroup'));
  copyFileSync(join(recorded, 'proc-pid-net-dev'), join(root, 'proc', String(pid), 'net', 'dev'));
  const membership = parseProcCgroup(readFileSync(join(recorded, 'proc-pid-cgroup'), 'utf8'));
  const layout = cgroupFilePaths(membership, join(root, 'cgroup'), false)!;
  for (const [file, path] of Object.entries(layout.files)) {
    mkdirSync(join(path, '..'), { recursive: true });
    copyFileSync(join(recorded, file), path);
  }
  mkdirSync(join(root, 'cgroup', 'memory'), { recursive: true });
  return { root, files: layout.files as Record<string, string> };
}

/** The recorded memory.stat with another inactive file cache, as the kernel would write it. */
const withInactiveFile = (path: string, bytes: number) =>
  writeFileSync(path, readFileSync(path, 'utf8').replace(/^total_inactive_file \d+$/m, `total_inactive_file ${bytes}`));

const record = (memoryBytes: number | null): ContainerRecord =>
  ({ id, pid, state: 'running', limits: { memoryBytes, cpuCores: null } }) as ContainerRecord;

test("memory.stat is read again only when the container's CPU, memory or limit moved, or its text is 15 s old", async (t) => {
  const { root, files } = v1Host(t);
  let now = 1_000_000;
  const source = new CgroupStatsSource(join(root, 'cgroup'), join(root, 'proc'), () => now);
  const usage = Number(readFileSync(files['memory.usage_in_bytes']!, 'utf8'));
  const workingSet = async (memoryBytes: number | null = null) =>
    (await source.sample([record(memoryBytes)])).get(id)!.memoryWorkingSetBytes;

  t.is(await workingSet(), usage, 'the recorded cgroup has no inactive file cache');
  withInactiveFile(files['memory.stat']!, 4096);
  now += 5_000;
  t.is(await workingSet(), usage, 'counters as they were: the last memory.stat stands');

  writeFileSync(files['cpuacct.usage']!, '5499028046\n');
  now += 5_000;
  t.is(await workingSet(), usage - 4096, 'the container ran: memory.stat read again');

  withInactiveFile(files['memory.stat']!, 8192);
  writeFileSync(files['memory.usage_in_bytes']!, `${usage + 4096}\n`);
  now += 5_000;
  t.is(await workingSet(), usage + 4096 - 8192, 'its memory usage moved: read again');

  withInactiveFile(files['memory.stat']!, 12288);
  now += 5_000;
  t.is(await workingSet(256 * 2 ** 20), usage + 4096 - 12288, 'its limit was changed (docker update): read again');

  withInactiveFile(files['memory.stat']!, 16384);
  now += MEMORY_STAT_REUSE_MS - 1;
  t.is(await workingSet(256 * 2 ** 20), usage + 4096 - 12288, 'still within 15 s of the last read');
  now += 1;
  t.is(await workingSet(256 * 2 ** 20), usage + 4096 - 16384, '15 s after the last read: read again, however still');
});

const reading = fc.record({
  text: fc.string(),
  readAt: fc.integer({ min: 0, max: 2 ** 40 }),
  cpu: fc.stringMatching(/^\d{1,12}\n$/),
  usage: fc.stringMatching(/^\d{1,12}\n$/),
  limitBytes: fc.option(fc.nat(), { nil: null }),
});

test('memory.stat is due whenever one thing it was read against differs, and only then within 15 s', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(
        reading,
        fc.nat({ max: MEMORY_STAT_REUSE_MS - 1 }),
        fc.subarray(['cpu', 'usage', 'limitBytes'] as const),
        (last: MemoryStatReading, age, changed) => {
          const now = { at: last.readAt + age, cpu: last.cpu, usage: last.usage, limitBytes: last.limitBytes };
          if (changed.includes('cpu')) now.cpu = `${last.cpu.trim()}1\n`;
          if (changed.includes('usage')) now.usage = `${last.usage.trim()}1\n`;
          if (changed.includes('limitBytes')) now.limitBytes = last.limitBytes === null ? 0 : null;
          return memoryStatDue(last, now) === changed.length > 0;
        },
      ),
    ),
  );
  t.true(memoryStatDue(undefined, { at: 0, cpu: '1\n', usage: '1\n', limitBytes: null }), 'never read: due');
});

test('memory.stat is due once its last reading is 15 s old, whatever else stands', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(reading, fc.integer({ min: MEMORY_STAT_REUSE_MS, max: 2 ** 31 }), (last, age) =>
        memoryStatDue(last, { at: last.readAt + age, cpu: last.cpu, usage: last.usage, limitBytes: last.limitBytes }),
      ),
    ),
  );
});
