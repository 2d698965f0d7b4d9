import type Database from 'better-sqlite3';

/**
 * One SQLite connection that can be replaced under the stores that use it. Every store prepares its
 * statements once, in its constructor; when vigil has to write its state to a new file (store-file.ts)
 * the statements of the old connection would be dead. Through this handle each statement and each
 * transaction function is prepared again on the new connection the first time it is used after the
 * swap, so no store needs to know.
 */
export interface ConnectionHandle {
  current: Database.Database;
  /** Incremented by every swap; what statements compare to know they are stale. */
  generation: number;
}

const handles = new WeakMap<object, ConnectionHandle>();

/** The handle behind a database that reopenable() made, or undefined for a plain one. */
export function handleOf(db: Database.Database): ConnectionHandle | undefined {
  return handles.get(db);
}

/** Replaces the connection; the old one is the caller's to close. */
export function swapConnection(handle: ConnectionHandle, next: Database.Database): void {
  handle.current = next;
  handle.generation++;
}

/** Forwards to `target`, bound, so that native methods see their own object as `this`. */
function forwarded(target: object, prop: string | symbol): unknown {
  const value: unknown = Reflect.get(target, prop, target);
  return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
}

function statementOn(handle: ConnectionHandle, source: string): Database.Statement {
  let generation = handle.generation;
  // prepared at once, as before: a bad statement fails where it is written
  let statement = handle.current.prepare(source);
  const fresh = () => {
    if (generation !== handle.generation) {
      statement = handle.current.prepare(source);
      generation = handle.generation;
    }
    return statement;
  };
  return new Proxy(statement, { get: (_, prop) => forwarded(fresh(), prop) });
}

function transactionOn(handle: ConnectionHandle, fn: (...args: never[]) => unknown) {
  let generation = handle.generation;
  let run = handle.current.transaction(fn);
  return (...args: never[]) => {
    if (generation !== handle.generation) {
      run = handle.current.transaction(fn);
      generation = handle.generation;
    }
    return run(...args);
  };
}

/** A database object whose connection swapConnection() can replace. */
export function reopenable(first: Database.Database): Database.Database {
  const handle: ConnectionHandle = { current: first, generation: 0 };
  const db = new Proxy(first, {
    get(_, prop) {
      if (prop === 'prepare') return (source: string) => statementOn(handle, source);
      if (prop === 'transaction') return (fn: (...args: never[]) => unknown) => transactionOn(handle, fn);
      return forwarded(handle.current, prop);
    },
  });
  handles.set(db, handle);
  return db;
}
