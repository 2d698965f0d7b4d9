import type { Db } from './db.js';

/**
 * The time of the last engine event vigil handled, so that after a restart vigil reads what the
 * engine did while it was away (the engine's `since`) before deciding anything.
 */
export class EventCursorStore {
  private readonly getStmt;
  private readonly putStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare<[], { time_nano: string }>('SELECT time_nano FROM engine_cursor WHERE id = 1');
    this.putStmt = db.prepare(
      'INSERT INTO engine_cursor (id, time_nano) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET time_nano = excluded.time_nano',
    );
  }

  /** Null before vigil has handled any event on this store. */
  get(): bigint | null {
    const row = this.getStmt.get();
    return row && /^\d+$/.test(row.time_nano) ? BigInt(row.time_nano) : null;
  }

  put(timeNano: bigint): void {
    this.putStmt.run(timeNano.toString());
  }
}
