import type { Db } from './db.js';

export type Desired = 'running' | 'stopped';
export type DesiredSource = 'event' | 'label' | 'api' | 'boot';

export interface DesiredState {
  key: string;
  containerId: string;
  name: string;
  desired: Desired;
  source: DesiredSource;
  reason: string;
  updatedAt: number;
}

interface Row {
  key: string;
  container_id: string;
  name: string;
  desired: Desired;
  source: DesiredSource;
  reason: string;
  updated_at: number;
}

const fromRow = (r: Row): DesiredState => ({
  key: r.key,
  containerId: r.container_id,
  name: r.name,
  desired: r.desired,
  source: r.source,
  reason: r.reason,
  updatedAt: r.updated_at,
});

export class DesiredStateStore {
  private readonly getStmt;
  private readonly putStmt;
  private readonly allStmt;
  private readonly pruneStmt;
  private readonly deleteStmt;

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare<[string], Row>('SELECT * FROM desired_state WHERE key = ?');
    this.allStmt = db.prepare<[], Row>('SELECT * FROM desired_state');
    // the schedule of a key with no desired state left is no one's
    this.pruneStmt = db.prepare(`
      DELETE FROM desired_state WHERE gone_at IS NOT NULL AND gone_at < ?;
    `);
    this.deleteStmt = db.prepare('DELETE FROM desired_state WHERE key = ?');
    this.putStmt = db.prepare(
      `INSERT INTO desired_state (key, container_id, name, desired, source, reason, updated_at)
       VALUES (@key, @containerId, @name, @desired, @source, @reason, @updatedAt)
       ON CONFLICT (key) DO UPDATE SET container_id = @containerId, name = @name, desired = @desired,
         source = @source, reason = @reason, updated_at = @updatedAt, gone_at = NULL`,
    );
  }

  get(key: string): DesiredState | undefined {
    const row = this.getStmt.get(key);
    return row && fromRow(row);
  }

  all(): DesiredState[] {
    return this.allStmt.all().map(fromRow);
  }

  put(state: DesiredState): void {
    this.putStmt.run(state);
  }

  /** The engine says the container of this key is gone: its desired state is no one's (its history stays). */
  forget(key: string): void {
    this.deleteStmt.run(key);
  }

  /**
   * Deletes the rows of keys gone since before `before`, and recovery schedules that belong to no key;
   * returns how many.
   */
  prune(before: number): number {
    const desired = this.pruneStmt.run(before).changes;
    return (
      desired +
      this.db.prepare('DELETE FROM recovery_state WHERE key NOT IN (SELECT key FROM desired_state)').run().changes
    );
  }
}
