import type { Db } from './db.js';

/** What vigil kept of a container it removed after giving up on it (VIGIL_CLEANUP_AFTER_SECONDS). */
export interface RemovedContainer {
  key: string;
  containerId: string;
  name: string;
  removedAt: number;
  exitCode: number | null;
  logs: { timestamp: string; stream: string; message: string }[];
  inspect: Record<string, unknown>;
}

interface Row {
  key: string;
  container_id: string;
  name: string;
  removed_at: number;
  exit_code: number | null;
  logs: string;
  inspect: string;
}

export class RemovedContainerStore {
  private readonly addStmt;
  private readonly byNameStmt;
  private readonly byKeyStmt;
  private readonly pruneStmt;

  constructor(db: Db) {
    this.addStmt = db.prepare(
      'INSERT INTO removed_containers (key, container_id, name, removed_at, exit_code, logs, inspect) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.byNameStmt = db.prepare<[string], Row>(
      'SELECT * FROM removed_containers WHERE name = ? ORDER BY removed_at DESC LIMIT 1',
    );
    this.byKeyStmt = db.prepare<[string], Row>('SELECT * FROM removed_containers WHERE key = ? ORDER BY removed_at');
    this.pruneStmt = db.prepare('DELETE FROM removed_containers WHERE removed_at < ?');
  }

  add(r: RemovedContainer): void {
    this.addStmt.run(
      ...[r.key, r.containerId, r.name, r.removedAt, r.exitCode],
      ...[JSON.stringify(r.logs), JSON.stringify(r.inspect)],
    );
  }

  /** The last container of this name that vigil removed. */
  lastNamed(name: string): RemovedContainer | undefined {
    const row = this.byNameStmt.get(name);
    return row && toRemoved(row);
  }

  ofKey(key: string): RemovedContainer[] {
    return this.byKeyStmt.all(key).map(toRemoved);
  }

  prune(before: number): number {
    return this.pruneStmt.run(before).changes;
  }
}

function toRemoved(r: Row): RemovedContainer {
  return {
    key: r.key,
    containerId: r.container_id,
    name: r.name,
    removedAt: r.removed_at,
    exitCode: r.exit_code,
    logs: JSON.parse(r.logs) as RemovedContainer['logs'],
    inspect: JSON.parse(r.inspect) as Record<string, unknown>,
  };
}
