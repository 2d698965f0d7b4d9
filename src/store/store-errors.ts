import { accessSync, constants, mkdirSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A data directory or database vigil cannot use: a configuration problem, told at start in one
 * sentence naming the path and what to do (main.ts exits with 2, as for an invalid configuration).
 */
export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}

const who = () => (typeof process.getuid === 'function' ? `uid ${process.getuid()}` : 'this user');
const owner = (s: Stats) => `it belongs to uid ${s.uid} with mode ${(s.mode & 0o777).toString(8).padStart(4, '0')}`;
const code = (err: unknown) => (err as NodeJS.ErrnoException).code;
const elsewhere = 'or set VIGIL_DATA_DIR to another directory';

/**
 * Makes sure the data directory exists (creating it, not its parents: a mistyped path must not
 * quietly become a new tree on the wrong disk) and that vigil may write in it.
 */
export function prepareDataDir(dir: string): void {
  let stats: Stats | undefined;
  try {
    stats = statSync(dir);
  } catch (err) {
    if (code(err) === 'ENOTDIR')
      throw new StoreError(`the data directory ${dir} is under a file, not a directory: fix the path, ${elsewhere}`);
    if (code(err) !== 'ENOENT')
      throw new StoreError(`cannot read the data directory ${dir} (${code(err)}): ${elsewhere}`);
  }
  if (stats && !stats.isDirectory())
    throw new StoreError(`the data directory ${dir} is a file, not a directory: move the file away, ${elsewhere}`);
  if (!stats) {
    const parent = dirname(dir);
    if (!isDirectory(parent))
      throw new StoreError(
        `the data directory ${dir} cannot be made because its parent ${parent} does not exist: create ${parent} (vigil makes only the last directory), ${elsewhere}`,
      );
    try {
      mkdirSync(dir);
    } catch (err) {
      throw new StoreError(
        `cannot make the data directory ${dir} (${code(err)}): make it yourself, writable by ${who()}, ${elsewhere}`,
      );
    }
    stats = statSync(dir);
  }
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    if (code(err) === 'EROFS')
      throw new StoreError(`the data directory ${dir} is on a read-only filesystem: mount it writable, ${elsewhere}`);
    throw new StoreError(
      `vigil (${who()}) cannot write in the data directory ${dir} (${owner(stats)}): chown or chmod it, ${elsewhere}`,
    );
  }
}

/** Refuses what is at the database's path when it cannot be vigil's database file. */
export function checkDatabasePath(path: string): void {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch {
    return; // not there yet: SQLite creates it
  }
  if (stats.isDirectory())
    throw new StoreError(
      `${path} is a directory, not vigil's database: remove or rename it (vigil creates the file there)`,
    );
  if (!stats.isFile()) throw new StoreError(`${path} is not a regular file: remove it, ${elsewhere}`);
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
  } catch {
    throw new StoreError(
      `vigil (${who()}) cannot read and write its database ${path} (${owner(stats)}): chown it to the user vigil runs as, ${elsewhere}`,
    );
  }
}

/** Pure: what an error of SQLite while opening `path` means for the operator. */
export function openFailure(path: string, err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const sqlite = (err as { code?: string }).code ?? '';
  const message = (err as Error).message ?? String(err);
  if (sqlite === 'SQLITE_NOTADB')
    return new StoreError(
      `${path} is not a SQLite database: move it away (vigil then creates a new one), ${elsewhere}`,
    );
  if (sqlite.startsWith('SQLITE_CORRUPT'))
    return new StoreError(
      `${path} is damaged (${message}): restore a backup, or move it away to start with an empty store`,
    );
  if (sqlite.startsWith('SQLITE_READONLY') || sqlite.startsWith('SQLITE_CANTOPEN') || sqlite === 'SQLITE_PERM')
    return new StoreError(
      `vigil (${who()}) cannot open ${path} for writing (${message}): check the owner and mode of the file and of its -wal and -shm files, ${elsewhere}`,
    );
  if (sqlite === 'SQLITE_FULL')
    return new StoreError(`the filesystem of ${path} is full: free some space, ${elsewhere}`);
  return new StoreError(`cannot open the database ${path} (${message}): check the file, ${elsewhere}`);
}

/** Pure: why a database that opened is not vigil's (another program's, a newer vigil's), or null. */
export function foreignDatabase(
  path: string,
  facts: { applicationId: number; tables: string[]; schemaVersion: number | null },
  ownApplicationId: number,
  knownVersions: number,
): StoreError | null {
  const { applicationId, tables, schemaVersion } = facts;
  const listed = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', …' : '');
  if (applicationId !== 0 && applicationId !== ownApplicationId)
    return new StoreError(
      `${path} belongs to another program (SQLite application id ${applicationId}): move it away, ${elsewhere}`,
    );
  if (schemaVersion === null && tables.length > 0)
    return new StoreError(
      `${path} is the SQLite database of another program (tables ${listed}; no vigil schema): move it away, ${elsewhere}`,
    );
  if (schemaVersion !== null && schemaVersion > knownVersions)
    return new StoreError(
      `${path} was written by a newer vigil (schema ${schemaVersion}; this one knows ${knownVersions}): run that vigil, or restore a backup made by this one`,
    );
  return null;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
