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

export class RecoveryStateStore {
  private readonly getStmt;
  private readonly putStmt;
  private readonly allStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare<[string], Row>('SELECT * FROM recovery_state WHERE key = ?');
    this.allStmt = db.prepare<[], Row>('SELECT * FROM recovery_state');
    this.putStmt = db.prepare(
      `INSERT INTO recovery_state (key, attempts, next_at, last_action_at, gave_up_at, last_problem)
       VALUES (@key, @attempts, @nextAt, @lastActionAt, @gaveUpAt, @lastProblem)
       ON CONFLICT (key) DO UPDATE SET attempts = @attempts, next_at = @nextAt, last_action_at = @lastActionAt,
         gave_up_at = @gaveUpAt, last_problem = @lastProblem`,
    );
  }

  get(key: string): RecoveryState {
    const r = this.getStmt.get(key);
    return r ? fromRow(r) : freshRecovery(key);
  }

  all(): RecoveryState[] {
    return this.allStmt.all().map(fromRow);
  }

  put(state: RecoveryState): void {
    this.putStmt.run(state);
  }
}
