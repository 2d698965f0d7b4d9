import type { Incident } from '../incidents/incident.js';
import type { Db } from './db.js';

/** Incidents as the tracker keeps them: written on every step, read back when vigil starts. */
export class IncidentStore {
  private readonly putStmt;
  private readonly openStmt;
  private readonly recentStmt;
  private readonly pruneStmt;

  constructor(db: Db) {
    this.putStmt = db.prepare(
      `INSERT INTO incidents (id, name, opened_at, closed_at, body) VALUES (@id, @name, @openedAt, @closedAt, @body)
       ON CONFLICT (id) DO UPDATE SET closed_at = @closedAt, body = @body`,
    );
    this.openStmt = db.prepare<[], { body: string }>(
      'SELECT body FROM incidents WHERE closed_at IS NULL ORDER BY opened_at',
    );
    this.recentStmt = db.prepare<[number], { body: string }>(
      'SELECT body FROM incidents WHERE closed_at IS NOT NULL ORDER BY closed_at DESC LIMIT ?',
    );
    this.pruneStmt = db.prepare('DELETE FROM incidents WHERE closed_at IS NOT NULL AND closed_at < ?');
  }

  put(incident: Incident): void {
    this.putStmt.run({
      id: incident.id,
      name: incident.container.name,
      openedAt: Date.parse(incident.openedAt),
      closedAt: incident.closedAt === null ? null : Date.parse(incident.closedAt),
      body: JSON.stringify(incident),
    });
  }

  /** Open incidents, oldest first. */
  open(): Incident[] {
    return this.openStmt.all().map((r) => JSON.parse(r.body) as Incident);
  }

  /** The latest closed incidents, latest first. */
  recent(limit: number): Incident[] {
    return this.recentStmt.all(limit).map((r) => JSON.parse(r.body) as Incident);
  }

  /** Deletes closed incidents that closed before `before`; returns how many. */
  prune(before: number): number {
    return this.pruneStmt.run(before).changes;
  }
}
