import test from 'ava';
import Database from 'better-sqlite3';
import { migrate } from '../../src/store/db.js';
import { migrations } from '../../src/store/migrations.js';
import { OutboxStore } from '../../src/store/outbox.js';

const store = () => {
  const db = new Database(':memory:');
  migrate(db);
  return new OutboxStore(db);
};

test('the same key to the same channel within the window is kept once', (t) => {
  const o = store();
  t.true(o.add('mail', 'k', '{}', 1000, 60_000));
  t.false(o.add('mail', 'k', '{}', 2000, 60_000));
  t.true(o.add('chat', 'k', '{}', 2000, 60_000), 'another channel');
  t.true(o.add('mail', 'k', '{}', 70_000, 60_000), 'after the window');
  t.deepEqual(Object.fromEntries(o.depth()), { mail: 2, chat: 1 });
});

test('sent rows leave the queue; failed ones come back when their retry is due; expired ones never', (t) => {
  const o = store();
  o.add('mail', 'a', '{}', 0, 1);
  o.add('mail', 'b', '{}', 0, 1);
  o.add('mail', 'c', '{}', 0, 1);
  const [a, b, c] = o.due(0);
  o.markSent([a!.id], 10);
  o.retryLater([b!.id], 5000, 'connection refused');
  o.expire(c!.id, 'too old');
  t.deepEqual(o.due(100), []);
  const again = o.due(5000);
  t.is(again.length, 1);
  t.is(again[0]!.attempts, 1);
  t.is(again[0]!.lastError, 'connection refused');
});

test('migrations apply once and are recorded', (t) => {
  const db = new Database(':memory:');
  migrate(db);
  migrate(db);
  const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
  t.deepEqual(
    versions.map((v) => v.version),
    migrations.map((_, i) => i + 1),
  );
});
