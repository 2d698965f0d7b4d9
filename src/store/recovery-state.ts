import type { Db } from './db.js';

export interface RecoveryState {
  key: string;
  /** Actions taken since the container last ran healthy for the reset period. */
  attempts: number;
  /** No action before this time (ms): the backoff. */
  nextAt: number;
  lastActionAt: number | null;
  gaveUpAt: number | null;
  /** What the last failed action ran into (image missing, …), so that the next one can follow it up. */
  lastProblem: string | null;
}

export const freshRecovery = (key: string): RecoveryState => ({
  key,
  attempts: 0,
  nextAt: 0,
  lastActionAt: null,
  gaveUpAt: null,
  lastProblem: null,
});

interface Row {
  key: string;
  attempts: number;
  next_at: number;
  last_action_at: number | null;
  gave_up_at: number | null;
  last_problem: string | null;
}

const fromRow = (r: Row): RecoveryState => ({
  key: r.key,
  attempts: r.attempts,
  nextAt: r.next_at,
  lastActionAt: r.last_action_at,
  gaveUpAt: r.gave_up_at,
  lastProblem: r.last_problem,
});

/**
 * Each container's backoff. A decision the store refuses (full, read-only) is held here and written
 * when the store takes writes again: a crash loop must be counted whatever the disk says, or every
 * `die` would be acted on at once. `put` never throws; it says whether the row reached the store.
 */
export class RecoveryStateStore {
  private readonly getStmt;
  private readonly putStmt;
  private readonly allStmt;
  private readonly deleteStmt;
  private readonly unsaved = new Map<string, RecoveryState>();

  constructor(db: Db) {
    this.getStmt = db.prepare<[string], Row>('SELECT * FROM recovery_state WHERE key = ?');
    this.allStmt = db.prepare<[], Row>('SELECT * FROM recovery_state');
    this.deleteStmt = db.prepare('DELETE FROM recovery_state WHERE key = ?');
    this.putStmt = db.prepare(
      `INSERT INTO recovery_state (key, attempts, next_at, last_action_at, gave_up_at, last_problem)
       VALUES (@key, @attempts, @nextAt, @lastActionAt, @gaveUpAt, @lastProblem)
       ON CONFLICT (key) DO UPDATE SET attempts = @attempts, next_at = @nextAt, last_action_at = @lastActionAt,
         gave_up_at = @gaveUpAt, last_problem = @lastProblem`,
    );
  }

  get(key: string): RecoveryState {
    const held = this.unsaved.get(key);
    if (held) return held;
    const r = this.readRow(key);
    return r ? fromRow(r) : freshRecovery(key);
  }

  all(): RecoveryState[] {
    const stored = this.readAll().filter((r) => !this.unsaved.has(r.key));
    return [...stored, ...this.unsaved.values()];
  }

  /** Writes the state, or holds it in memory when the store refuses; true when it reached the store. */
  put(state: RecoveryState): boolean {
    this.unsaved.set(state.key, state);
    return this.flush();
  }

  /** The container of this key is gone: its schedule is no one's. */
  forget(key: string): void {
    this.unsaved.delete(key);
    try {
      this.deleteStmt.run(key);
    } catch {
      // a store that refuses the delete keeps a row that the maintenance prune removes later
    }
  }

  /** Writes what the store refused earlier; true when nothing is left waiting. */
  flush(): boolean {
    for (const [key, state] of this.unsaved) {
      try {
        this.putStmt.run(state);
        this.unsaved.delete(key);
      } catch {
        return false;
      }
    }
    return true;
  }

  /** Decisions held in memory because the store refused them. */
  get unsavedCount(): number {
    return this.unsaved.size;
  }

  private readRow(key: string): Row | undefined {
    try {
      return this.getStmt.get(key);
    } catch {
      return undefined;
    }
  }

  private readAll(): RecoveryState[] {
    try {
      return this.allStmt.all().map(fromRow);
    } catch {
      return [];
    }
  }
}
