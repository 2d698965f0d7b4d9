import test from 'ava';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { heldFileBudget, KernelFile } from '../../../src/docker/stats/kernel-file.js';
import { tempDir } from '../../helpers/temp-dir.js';

const limits = (soft: string, hard = soft) =>
  `Limit                     Soft Limit           Hard Limit           Units     \n` +
  `Max open files            ${soft.padEnd(20)} ${hard.padEnd(20)} files     \n`;

test('half the soft limit on open files, less a margin, may be held', (t) => {
  t.is(heldFileBudget(limits('20000')), 9744);
  t.is(heldFileBudget(limits('1048576')), 524_032);
});

test('a soft limit of 1024 holds 256 files, and a tiny one none', (t) => {
  t.is(heldFileBudget(limits('1024', '4096')), 256);
  t.is(heldFileBudget(limits('256')), 0);
});

test('no limits text (no /proc) holds nothing, and unlimited holds plenty', (t) => {
  t.is(heldFileBudget(''), 0);
  t.true(heldFileBudget(limits('unlimited')) >= 1 << 20);
});

test("this machine's /proc/self/limits gives a budget of its own", (t) => {
  const text = readFileSync('/proc/self/limits', 'utf8');
  const soft = Number(/^Max open files\s+(\d+)/m.exec(text)?.[1]);
  t.is(heldFileBudget(text), Math.max(0, Math.floor(soft / 2) - 256));
});

test('a held file read again gives what the file holds now, not what it held when opened', (t) => {
  const dir = tempDir(t, 'kf');
  const path = join(dir, 'cpuacct.usage');
  writeFileSync(path, '1000\n');
  const file = KernelFile.open(path);
  t.is(file.read(), '1000\n');
  writeFileSync(path, '2000000\n');
  t.is(file.read(), '2000000\n');
  file.close();
  rmSync(dir, { recursive: true });
});

test('a file larger than one read comes back whole', (t) => {
  const dir = tempDir(t, 'kf');
  const path = join(dir, 'memory.stat');
  const text = Array.from({ length: 8000 }, (_, i) => `line_${i} ${i * 4096}`).join('\n');
  writeFileSync(path, text);
  const file = KernelFile.open(path);
  t.true(text.length > 64 * 1024);
  t.is(file.read(), text);
  file.close();
  rmSync(dir, { recursive: true });
});

test('an optional file that does not exist reads as empty; a required one throws', (t) => {
  const missing = join(tmpdir(), 'vigil-kf-missing', 'io.stat');
  t.is(KernelFile.open(missing, true).read(), '');
  t.throws(() => KernelFile.open(missing), { code: 'ENOENT' });
});

test('the /proc file of a process is read live: this process status changes between reads', (t) => {
  const file = KernelFile.open('/proc/self/stat');
  const before = file.read();
  // spend 30 ms of CPU (three of the kernel's 10 ms ticks) so utime moves: CPU time, not wall time,
  // which on a loaded machine may pass with none of it spent here
  const spentBefore = process.cpuUsage().user;
  while (process.cpuUsage().user - spentBefore < 30_000);
  const after = file.read();
  file.close();
  t.regex(before, /^\d+ \(/);
  t.not(before, after);
});
