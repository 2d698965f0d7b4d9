import test, { type ExecutionContext } from 'ava';
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openStore } from '../../src/store/db.js';
import { vigilEntryArgs } from '../helpers/vigil-entry.js';
import { fileTempDirs } from '../helpers/temp-dir.js';

// the file's temp dirs, removed after its last test
const temp = fileTempDirs(test);

// Each bad data directory or database ends vigil as a configuration error does: exit code 2 and one
// sentence naming the path and what to do, no stack trace. vigil is spawned as an operator starts it,
// one at a time: ten node processes starting at once on a loaded machine take minutes.

const exec = promisify(execFile);
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

function runMain(dataDir: string, asUid?: number): Promise<{ code: number; stderr: string }> {
  const env = {
    PATH: process.env.PATH!,
    HOME: tmpdir(),
    VIGIL_DATA_DIR: dataDir,
    // no engine is needed to find the store unusable; the name keeps vigil from asking one
    VIGIL_HOST: 'store-test',
    DOCKER_HOST: 'unix:///nonexistent/docker.sock',
    VIGIL_LISTEN: '127.0.0.1:0',
  };
  const node = [process.execPath, ...vigilEntryArgs()];
  const [command, ...args] =
    asUid === undefined ? node : ['setpriv', `--reuid=${asUid}`, `--regid=${asUid}`, '--clear-groups', ...node];
  return exec(command!, args, { env, timeout: 120_000 }).then(
    () => ({ code: 0, stderr: '' }),
    (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
  );
}

const scratch = () => temp('badstore');

async function refused(t: import('ava').ExecutionContext, dataDir: string, path: string, advice: RegExp, uid?: number) {
  const { code, stderr } = await runMain(dataDir, uid);
  t.is(code, 2, stderr);
  const lines = stderr.trim().split('\n');
  t.is(lines.length, 1, `one sentence: ${stderr}`);
  t.true(lines[0]!.startsWith('vigil: '), stderr);
  t.true(lines[0]!.includes(path), `names ${path}: ${stderr}`);
  t.regex(lines[0]!, advice);
  t.notRegex(stderr, /\n\s+at /, 'no stack trace');
}

test.serial('a data directory whose parent does not exist', async (t) => {
  const dir = join(scratch(), 'no', 'such', 'data');
  await refused(t, dir, join(dir, '..'), /parent .* does not exist: create/);
});

test.serial('a data directory that is a file', async (t) => {
  const file = join(scratch(), 'data');
  writeFileSync(file, 'x');
  await refused(t, file, file, /is a file, not a directory/);
});

test.serial('a file that is not SQLite where the database should be', async (t) => {
  const dir = scratch();
  writeFileSync(join(dir, 'vigil.db'), 'these are the notes of someone, not a database\n'.repeat(20));
  await refused(t, dir, join(dir, 'vigil.db'), /is not a SQLite database: move it away/);
});

test.serial('the SQLite database of another program', async (t) => {
  const dir = scratch();
  const other = new Database(join(dir, 'vigil.db'));
  other.exec('CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)');
  other.pragma('user_version = 7');
  other.close();
  await refused(t, dir, join(dir, 'vigil.db'), /of another program \(tables moz_places; no vigil schema\)/);
});

test.serial('a SQLite file with another application id', async (t) => {
  const dir = scratch();
  const other = new Database(join(dir, 'vigil.db'));
  other.pragma('application_id = 1234');
  other.close();
  await refused(t, dir, join(dir, 'vigil.db'), /another program \(SQLite application id 1234\)/);
});

test.serial('a database written by a newer vigil', async (t) => {
  const dir = scratch();
  const db = openStore(dir);
  db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)').run();
  db.close();
  await refused(t, dir, join(dir, 'vigil.db'), /newer vigil \(schema 999; this one knows \d+\)/);
});

test.serial('a directory named vigil.db', async (t) => {
  const dir = scratch();
  mkdirSync(join(dir, 'vigil.db'));
  await refused(t, dir, join(dir, 'vigil.db'), /is a directory, not vigil's database: remove or rename it/);
});

// root may write anywhere: the permission cases run vigil as nobody, which only root can do; without
// root they fail saying so (the suite runs as root), rather than pass unchecked
const asNobody = (title: string, body: (t: ExecutionContext) => Promise<void>) =>
  test.serial(title, async (t) => {
    if (!asRoot) {
      t.fail('this case runs vigil as nobody (uid 65534), which needs root: run the suite as root');
      return;
    }
    await body(t);
  });

asNobody('a read-only data directory (vigil not root)', async (t) => {
  const dir = scratch();
  chownSync(dir, NOBODY, NOBODY);
  chmodSync(dir, 0o555);
  await refused(t, dir, dir, /cannot write in the data directory .*mode 0555.*chown or chmod/, NOBODY);
});

asNobody('a data directory of another owner', async (t) => {
  const dir = scratch();
  chmodSync(dir, 0o755);
  await refused(t, dir, dir, /uid 65534\) cannot write .*belongs to uid 0/, NOBODY);
});

asNobody('a database file of another owner', async (t) => {
  const dir = scratch();
  chownSync(dir, NOBODY, NOBODY);
  openStore(dir).close();
  chmodSync(join(dir, 'vigil.db'), 0o600);
  await refused(t, dir, join(dir, 'vigil.db'), /cannot read and write its database .*uid 0.*chown it/, NOBODY);
});

test.serial('a good data directory is made when missing (its parent exists), and a fresh store is vigil’s', (t) => {
  const dir = join(scratch(), 'data');
  const db = openStore(dir);
  t.teardown(() => db.close());
  t.is(db.pragma('application_id', { simple: true }), 0x5649474c);
});
