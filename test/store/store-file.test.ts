import test from 'ava';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { openStore, storePath } from '../../src/store/db.js';
import { DesiredStateStore } from '../../src/store/desired-state.js';
import { OutboxStore } from '../../src/store/outbox.js';
import { RecoveryStateStore } from '../../src/store/recovery-state.js';
import { fileChange, NOTICE_MS, watchStoreFile } from '../../src/store/store-file.js';
import { fileTempDirs } from '../helpers/temp-dir.js';

// the file's temp dirs, removed after its last test
const temp = fileTempDirs(test);

const silent = pino({ level: 'silent' });

test('fileChange: the same device and inode, another one, none', (t) => {
  t.is(fileChange({ dev: 1, ino: 2 }, { dev: 1, ino: 2 }), null);
  t.is(fileChange({ dev: 1, ino: 2 }, { dev: 1, ino: 3 }), 'replaced');
  t.is(fileChange({ dev: 1, ino: 2 }, { dev: 9, ino: 2 }), 'replaced');
  t.is(fileChange({ dev: 1, ino: 2 }, null), 'deleted');
});

function storeWithState() {
  const dir = temp('storefile');
  const db = openStore(dir);
  const desired = new DesiredStateStore(db);
  const recovery = new RecoveryStateStore(db);
  const outbox = new OutboxStore(db);
  const state = (name: string) => ({
    ...{ key: name, containerId: `${name}-id`, name, desired: 'stopped' as const, source: 'event' as const },
    ...{ reason: 'stopped by a person', updatedAt: 1 },
  });
  desired.put(state('web'));
  recovery.put({ ...recovery.get('db'), attempts: 3, nextAt: 99 });
  outbox.add('mail', 'k1', '{"pending":1}', 1000, 60_000);
  return { dir, db, desired, recovery, outbox, state };
}

const reopened = (dir: string) => {
  const db = openStore(dir);
  return {
    db,
    desired: new DesiredStateStore(db).all().map((d) => d.name),
    attempts: new RecoveryStateStore(db).get('db').attempts,
    pending: new OutboxStore(db).due(Number.MAX_SAFE_INTEGER).map((r) => r.dedupeKey),
  };
};

test('the database deleted while vigil runs: noticed, said, and everything (written before and after) is in a new file', (t) => {
  const { dir, db, desired, outbox, state } = storeWithState();
  let now = 1_000_000;
  const watch = watchStoreFile(db, storePath(dir), silent, { now: () => now });
  t.is(watch.check(), null);
  for (const suffix of ['', '-wal', '-shm']) rmSync(storePath(dir) + suffix, { force: true });
  // written between the deletion and its notice: into the deleted file, which the copy is made from
  desired.put(state('between'));
  const problem = watch.check();
  t.regex(
    problem ?? '',
    /vigil's database .*vigil\.db was deleted at .*; vigil wrote everything it held to a new file there/,
  );
  t.true(existsSync(storePath(dir)));
  // the stores' statements, prepared on the old connection, now write into the new file
  desired.put(state('after'));
  outbox.add('mail', 'k2', '{"pending":2}', 2000, 60_000);
  now += NOTICE_MS;
  t.is(watch.check(), null, 'readiness is ready again a minute later');
  db.close();
  const again = reopened(dir);
  t.teardown(() => again.db.close());
  t.deepEqual(again.desired.sort(), ['after', 'between', 'web']);
  t.is(again.attempts, 3);
  t.deepEqual(again.pending.sort(), ['k1', 'k2']);
});

test('the database replaced by another file: that file is moved aside, not destroyed, and vigil’s is written back', (t) => {
  const { dir, db } = storeWithState();
  const watch = watchStoreFile(db, storePath(dir), silent);
  rmSync(storePath(dir));
  writeFileSync(storePath(dir), 'somebody else’s file');
  t.regex(watch.check() ?? '', /was replaced at/);
  db.close();
  const aside = readdirSync(dir).filter((f) => /^vigil\.db\.replaced-\d+$/.test(f));
  t.is(aside.length, 1);
  const again = reopened(dir);
  t.teardown(() => again.db.close());
  t.deepEqual(again.desired, ['web']);
});

test('the whole data directory removed: made again with the database in it', (t) => {
  const { dir, db } = storeWithState();
  const watch = watchStoreFile(db, storePath(dir), silent);
  rmSync(dir, { recursive: true });
  t.regex(watch.check() ?? '', /deleted/);
  db.close();
  const again = reopened(dir);
  t.teardown(() => again.db.close());
  t.deepEqual(again.desired, ['web']);
  t.deepEqual(again.pending, ['k1']);
});
