import test from 'ava';
import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/db.js';
import { DesiredStateStore } from '../../src/store/desired-state.js';
import { HistoryStore } from '../../src/store/history.js';
import { IncidentStore } from '../../src/store/incidents.js';
import { migrations } from '../../src/store/migrations.js';
import { OutboxStore } from '../../src/store/outbox.js';
import { RecoveryStateStore } from '../../src/store/recovery-state.js';
import { AlertStore } from '../../src/store/alerts.js';
import { ChatThreadStore } from '../../src/store/chat-threads.js';
import { fileTempDirs } from '../helpers/temp-dir.js';

// the file's temp dirs, removed after its last test
const temp = fileTempDirs(test);

// stores as earlier releases left them, made by test/fixtures/store/make-store.ts from their migrations
const fixtures = fileURLToPath(new URL('../fixtures/store/', import.meta.url));
const releases = [
  { file: 'schema-4-907da20.db', schema: 4 },
  { file: 'schema-5-7542594.db', schema: 5 },
];

type Rows = Record<string, Record<string, unknown>[]>;

/** Every row of every table, read with SQLite alone (not vigil's code), in rowid order. */
function everyRow(path: string): Rows {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all() as string[];
    return Object.fromEntries(
      tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all() as Record<string, unknown>[]]),
    );
  } finally {
    db.close();
  }
}

/**
 * What migration 7 makes of an earlier store's rows: desired state, backoff and history belong to the
 * container id that earned them, so rows kept under `name:<name>` move to `id:<container id>`.
 */
function rekeyedById(rows: Rows): Rows {
  const idOfKey = new Map(
    (rows.desired_state ?? []).map((r) => [String(r.key), `id:${String(r.container_id)}`] as const),
  );
  const byOwnId = (r: Record<string, unknown>) =>
    String(r.key).startsWith('name:') ? { ...r, key: `id:${String(r.container_id)}` } : r;
  return {
    ...rows,
    desired_state: (rows.desired_state ?? []).map(byOwnId),
    history: (rows.history ?? []).map(byOwnId),
    recovery_state: (rows.recovery_state ?? [])
      .filter((r) => !String(r.key).startsWith('name:') || idOfKey.has(String(r.key)))
      .map((r) => (idOfKey.has(String(r.key)) ? { ...r, key: idOfKey.get(String(r.key)) } : r)),
  };
}

/** A data directory holding a copy of the release's store, as an operator's would before an upgrade. */
function upgradeFrom(file: string): string {
  const dir = temp('upgrade');
  copyFileSync(join(fixtures, file), join(dir, 'vigil.db'));
  return dir;
}

for (const { file, schema } of releases) {
  test(`a store of schema ${schema} (${file}) is migrated forward and keeps every row of every table`, (t) => {
    const dir = upgradeFrom(file);
    const before = everyRow(join(dir, 'vigil.db'));
    t.is(before.schema_migrations!.length, schema);

    openStore(dir).close();

    const after = everyRow(join(dir, 'vigil.db'));
    const expected = rekeyedById(before);
    for (const [table, rows] of Object.entries(expected)) {
      if (table === 'schema_migrations') continue;
      t.true(rows.length > 0, `the fixture has rows in ${table}`);
      // a later migration may add columns; the old ones keep their values
      const kept = after[table]!.map((row) => Object.fromEntries(Object.keys(rows[0]!).map((c) => [c, row[c]])));
      t.deepEqual(kept, rows, table);
    }
    t.deepEqual(
      after.schema_migrations!.map((r) => r.version),
      migrations.map((_, i) => i + 1),
    );
    t.deepEqual(after.schema_migrations!.slice(0, schema), before.schema_migrations, 'earlier migrations not redone');
  });

  test(`today's stores read what the release of schema ${schema} wrote: desired state, outbox, alerts and history`, (t) => {
    const db = openStore(upgradeFrom(file));
    t.teardown(() => db.close());
    const at = Date.UTC(2026, 0, 15, 12);

    // keyed by container id since migration 7 (web is aaaa…, db is bbbb… in the fixtures)
    const web = `id:${'a'.repeat(64)}`;
    const dbKey = `id:${'b'.repeat(64)}`;
    const desired = new DesiredStateStore(db);
    t.like(desired.get(web), { desired: 'stopped', source: 'event', reason: 'docker stop by a person' });
    t.like(desired.get(dbKey), { desired: 'running' });
    t.like(new RecoveryStateStore(db).get(dbKey), { attempts: 2, nextAt: at + 20_000, lastProblem: 'crash' });

    const outbox = new OutboxStore(db);
    const due = outbox.due(at + 60_000);
    t.is(due.length, 1, 'the undelivered message is still due; the delivered one is not sent again');
    t.like(due[0], { channel: 'oncall-email', dedupeKey: 'crash:name:db', attempts: 1, status: 'pending' });
    t.deepEqual(JSON.parse(due[0]!.payload), {
      kind: 'crash',
      severity: 'critical',
      container: 'db',
      text: 'db crashed (exit 137)',
    });

    t.like(new AlertStore(db).latest('f00dfeed'), { status: 'firing', alertname: 'ContainerDown' });

    const history = new HistoryStore(db);
    t.deepEqual(
      history.since(dbKey, 0).map((e) => e.kind),
      ['status', 'action'],
    );
    t.deepEqual(history.since(web, 0)[0]?.data, { desired: 'stopped', source: 'event' });
  });
}

test('an open incident and its chat thread written by the release of schema 5 go on after the upgrade', (t) => {
  const db = openStore(upgradeFrom('schema-5-7542594.db'));
  t.teardown(() => db.close());
  const open = new IncidentStore(db).open();
  t.is(open.length, 1);
  t.like(open[0], { id: 'inc-db-1', outcome: 'open', seq: 2, container: { name: 'db' } });
  t.deepEqual(
    open[0]!.timeline.map((s) => s.kind),
    ['seen', 'did'],
  );
  t.is(new ChatThreadStore(db).get('ops-slack', 'inc-db-1'), '1736942400.000100');
});
