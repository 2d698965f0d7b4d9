import Database from 'better-sqlite3';
import { join } from 'node:path';
import { migrations } from './migrations.js';
import { reopenable } from './reopenable.js';
import { checkDatabasePath, foreignDatabase, openFailure, prepareDataDir } from './store-errors.js';

export type Db = Database.Database;

/** SQLite's application id of vigil's database ("VIGL"), so that another program's file is told from ours. */
export const APPLICATION_ID = 0x5649474c;

/** Where the store lives in the data directory. */
export const storePath = (dataDir: string): string => join(dataDir, 'vigil.db');

/**
 * Opens (creating when needed) vigil's store in `dataDir`, in WAL mode, and applies pending
 * migrations. A directory or file vigil cannot use throws a StoreError that says which and what to do.
 */
export function openStore(dataDir: string): Db {
  prepareDataDir(dataDir);
  const path = storePath(dataDir);
  checkDatabasePath(path);
  return reopenable(openConnection(path));
}

/** One connection to vigil's database at `path`, checked to be vigil's, configured and migrated. */
export function openConnection(path: string): Db {
  let db: Db | undefined;
  try {
    db = new Database(path);
    const foreign = foreignDatabase(path, factsOf(db), APPLICATION_ID, migrations.length);
    if (foreign) throw foreign;
    db.pragma('journal_mode = WAL');
    // WAL with NORMAL loses at most the last transactions on power loss, never consistency
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
    return db;
  } catch (err) {
    db?.close();
    throw openFailure(path, err);
  }
}

function factsOf(db: Db) {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  const schemaVersion = tables.includes('schema_migrations')
    ? ((db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number | null) ?? 0)
    : null;
  return { applicationId: db.pragma('application_id', { simple: true }) as number, tables, schemaVersion };
}

export function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  if (db.pragma('application_id', { simple: true }) !== APPLICATION_ID) db.pragma(`application_id = ${APPLICATION_ID}`);
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
