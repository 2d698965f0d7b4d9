import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { migrations } from './migrations.js';

export type Db = Database.Database;

/** Opens (creating when needed) vigil's store in `dataDir`, in WAL mode, and applies pending migrations. */
export function openStore(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, 'vigil.db'));
  db.pragma('journal_mode = WAL');
  // WAL with NORMAL loses at most the last transactions on power loss, never consistency
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  for (const [index, sql] of migrations.entries()) {
    const version = index + 1;
    if (applied.has(version)) continue;
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now());
    })();
  }
}

/** Readiness: the store accepts a write. */
export function storeWritable(db: Db): string | null {
  try {
    db.prepare(
      'INSERT OR REPLACE INTO schema_migrations (version, applied_at) SELECT version, applied_at FROM schema_migrations WHERE version = 1',
    ).run();
    return null;
  } catch (err) {
    return `the store cannot be written: ${(err as Error).message}`;
  }
}
