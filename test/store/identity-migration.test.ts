import test from 'ava';
import Database from 'better-sqlite3';
import { migrations } from '../../src/store/migrations.js';
import { migrate } from '../../src/store/db.js';

// The rows an older vigil kept by name move to the id of the container that earned them.
test('rows kept by name move to their container id; compose keys stay', (t) => {
  const db = new Database(':memory:');
  t.teardown(() => db.close());
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const before = migrations.findIndex((sql) => sql.includes('CREATE TABLE engine_cursor'));
  for (const [i, sql] of migrations.slice(0, before).entries()) {
    db.exec(sql);
    db.prepare('INSERT INTO schema_migrations VALUES (?, 0)').run(i + 1);
  }
  const desired = db.prepare(
    "INSERT INTO desired_state (key, container_id, name, desired, source, reason, updated_at) VALUES (?, ?, ?, 'stopped', 'event', 'x', 0)",
  );
  desired.run('name:web', 'aaa', 'web');
  desired.run('compose:p/db/1', 'bbb', 'p-db-1');
  const recovery = db.prepare('INSERT INTO recovery_state (key, attempts, next_at) VALUES (?, ?, 0)');
  recovery.run('name:web', 2);
  recovery.run('name:orphan', 1);
  db.prepare(
    "INSERT INTO history (key, container_id, name, at, kind, data) VALUES ('name:web', 'aaa', 'web', 0, 'intent', '{}')",
  ).run();
  migrate(db);
  t.deepEqual(
    (db.prepare('SELECT key FROM desired_state ORDER BY key').all() as { key: string }[]).map((r) => r.key),
    ['compose:p/db/1', 'id:aaa'],
  );
  t.deepEqual(db.prepare('SELECT key, attempts FROM recovery_state').all(), [{ key: 'id:aaa', attempts: 2 }]);
  t.deepEqual(db.prepare('SELECT key FROM history').all(), [{ key: 'id:aaa' }]);
  t.is((db.prepare('SELECT count(*) AS n FROM engine_cursor').get() as { n: number }).n, 0);
});
