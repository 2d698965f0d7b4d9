import test, { type ExecutionContext } from 'ava';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileTempDirs, tempDir } from '../helpers/temp-dir.js';

// the file's temp dirs, removed after its last test
const temp = fileTempDirs(test);

const script = fileURLToPath(new URL('../../scripts/no-leaks.sh', import.meta.url));
// a stand-in nats-server: sleep under that name, so the check takes it for one
const bin = temp('leak');
const natsServer = join(bin, 'nats-server');
symlinkSync('/bin/sleep', natsServer);
// a stand-in shim: bash under that name, whose child (its "container") runs with an environment of its own
const shim = join(bin, 'containerd-shim-runc-v2');
symlinkSync('/bin/bash', shim);

interface Outcome {
  code: number;
  stderr: string;
}

/** The leak check around a shell command, as a run of its own (not nested in the run testing it). */
function check(command: string, options: string[] = [], extraEnv: Record<string, string> = {}): Promise<Outcome> {
  const env: NodeJS.ProcessEnv = { ...process.env, VIGIL_NO_LEAKS_GRACE_SECONDS: '1', ...extraEnv };
  delete env.VIGIL_TEST_RUN;
  return new Promise((resolve) => {
    execFile('bash', [script, ...options, 'bash', '-c', command], { env }, (err, _stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr }),
    );
  });
}

/** Running, not a zombie waiting for whoever adopted it to reap it. */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

test('a run that leaves a service process alive fails, names it and ends it', async (t) => {
  // the run ends once the process runs as nats-server: ended a moment before its exec, the check found
  // a bash by that pid, no nats-server, and passed (once, on a loaded machine)
  const { code, stderr } = await check(
    `setsid ${natsServer} 301 </dev/null >/dev/null 2>&1 & p=$!; ` +
      `until [ ! -e /proc/$p ] || tr '\\0' ' ' < /proc/$p/cmdline | grep -q 'nats-server 301'; do sleep 0.05; done`,
  );
  t.is(code, 1);
  const line = /^\s+(\d+) .*nats-server 301$/m.exec(stderr);
  t.truthy(line, stderr);
  const pid = Number(line![1]);
  // killed; whoever adopted it reaps it a moment later
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  t.false(alive(pid), 'the leaked process was killed');
});

test("a shim left alive is ended with its container's processes, which carry no marker of the run", async (t) => {
  const pidFile = join(tempDir(t, 'leak-shim'), 'container-pid');
  const { code, stderr } = await check(
    `setsid ${shim} -c 'env -i /bin/sleep 305 & echo $! > ${pidFile}; wait' </dev/null >/dev/null 2>&1 & ` +
      `until [ -s ${pidFile} ]; do sleep 0.05; done`,
  );
  t.is(code, 1);
  t.regex(stderr, /containerd-shim-runc-v2/);
  const container = Number(readFileSync(pidFile, 'utf8'));
  t.true(container > 0);
  for (let i = 0; i < 50 && alive(container); i++) await new Promise((r) => setTimeout(r, 100));
  t.false(alive(container), "the shim's child was killed with it");
});

test('a run that ends what it started passes, and its own exit code is kept', async (t) => {
  t.is((await check(`${natsServer} 302 & pid=$!; kill $pid; wait $pid; exit 0`)).code, 0);
  t.is((await check('exit 3')).code, 3);
});

test('a process that was running before the run does not count against it', async (t) => {
  const before = spawn(natsServer, ['303'], { stdio: 'ignore', detached: true });
  t.teardown(() => before.kill('SIGKILL'));
  const { code, stderr } = await check('true');
  t.is(code, 0, stderr);
  t.true(alive(before.pid!), 'not killed either');
});

/** The check with --dirs, the run's TMPDIR written to a file of the test's own so that it can look there after. */
async function checkDirs(t: ExecutionContext, command: string): Promise<Outcome & { runTmp: string }> {
  const where = join(tempDir(t, 'leak-where'), 'tmpdir');
  const outcome = await check(`echo "$TMPDIR" > "${where}"; ${command}`, ['--dirs']);
  return { ...outcome, runTmp: readFileSync(where, 'utf8').trim() };
}

test('with --dirs, a run that leaves a vigil temp dir behind fails, names it and removes it', async (t) => {
  const { code, stderr, runTmp } = await checkDirs(
    t,
    'mkdir "$TMPDIR/vigil-left-behind"; mktemp -d "$TMPDIR/vigil-x-XXXXXX"',
  );
  t.is(code, 1, stderr);
  t.regex(stderr, /the run left 2 temp dirs/);
  t.regex(stderr, /^ {2}vigil-left-behind$/m);
  t.regex(stderr, /^ {2}vigil-x-\w{6}$/m);
  t.not(runTmp, tmpdir(), 'the run had a TMPDIR of its own');
  t.false(existsSync(runTmp), 'and it is gone, with what was left in it');
});

test('with --dirs, a run that removes what it made passes; without, a dir left is named but does not fail', async (t) => {
  const clean = await checkDirs(t, 'd=$(mktemp -d "$TMPDIR/vigil-x-XXXXXX"); rm -r "$d"');
  t.is(clean.code, 0, clean.stderr);
  t.notRegex(clean.stderr, /temp dirs/);
  const noted = await check('mkdir "$TMPDIR/vigil-noted"');
  t.is(noted.code, 0, noted.stderr);
  t.regex(noted.stderr, /note: the run left 1 temp dirs[^]*vigil-noted/);
});
