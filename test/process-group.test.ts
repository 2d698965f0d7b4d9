import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './helpers/engine.js';
import { fileTempDirs } from './helpers/temp-dir.js';

// the file's temp dirs, removed after its last test
const temp = fileTempDirs(test);

const script = fileURLToPath(new URL('./fixtures/process-group/holds-children.ts', import.meta.url));

/** Running, not a zombie waiting for whoever adopted it to reap it. */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/** A test process (test/helpers/process-group.ts in it) holding a child and a grandchild. */
async function holder(mode: 'wait' | 'end') {
  const pidsFile = join(temp('pg'), 'pids');
  const proc = spawn(process.execPath, ['--import', 'tsx', script, mode], {
    env: { ...process.env, PIDS_FILE: pidsFile },
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  await waitFor(() => existsSync(pidsFile) && readFileSync(pidsFile, 'utf8').includes(' '), {
    what: 'the pids',
    timeoutMs: 60_000,
  });
  const pids = readFileSync(pidsFile, 'utf8').split(' ').map(Number);
  return { proc, exited, pids };
}

const gone = (pids: number[]) => waitFor(() => !pids.some(alive), { what: 'the children gone', timeoutMs: 5000 });

test('a test file stopped as ava stops one that timed out (SIGTERM) takes its children with it', async (t) => {
  const { proc, exited, pids } = await holder('wait');
  t.true(pids.every(alive));
  proc.kill('SIGTERM');
  await exited;
  await gone(pids);
  t.deepEqual(pids.filter(alive), [], 'every child gone');
});

test('a test file that ends with children still running ends them', async (t) => {
  const { exited, pids } = await holder('end');
  await exited;
  await gone(pids);
  t.deepEqual(pids.filter(alive), [], 'every child gone');
});
