import { createHash } from 'node:crypto';
import type { Db } from './db.js';

/** Session cookies that were signed out: refused until they would have expired anyway. */
export interface SessionRevocations {
  revoke(cookie: string, expirySeconds: number): void;
  revoked(cookie: string): boolean;
}

const idOf = (cookie: string) => createHash('sha256').update(cookie).digest('base64url');

/**
 * Kept in the store, so that a restart of vigil does not bring a signed-out cookie back to life (a
 * cookie is valid by its signature alone), and in memory, so that the check on every request reads
 * no disk. Only a hash of the cookie is kept: the table is not a list of working credentials.
 */
export class RevokedSessionStore implements SessionRevocations {
  private readonly ids = new Map<string, number>();
  private readonly putStmt;
  private readonly pruneStmt;

  constructor(db: Db, nowSeconds = () => Date.now() / 1000) {
    this.now = nowSeconds;
    this.putStmt = db.prepare('INSERT OR REPLACE INTO revoked_sessions (id, expires_at) VALUES (?, ?)');
    this.pruneStmt = db.prepare('DELETE FROM revoked_sessions WHERE expires_at <= ?');
    this.pruneStmt.run(Math.floor(this.now()));
    const rows = db.prepare('SELECT id, expires_at FROM revoked_sessions').all() as {
      id: string;
      expires_at: number;
    }[];
    for (const row of rows) this.ids.set(row.id, row.expires_at);
  }

  private readonly now: () => number;

  revoke(cookie: string, expirySeconds: number): void {
    const now = this.now();
    for (const [id, expiry] of this.ids) if (expiry <= now) this.ids.delete(id);
    this.ids.set(idOf(cookie), expirySeconds);
    try {
      this.putStmt.run(idOf(cookie), expirySeconds);
      this.pruneStmt.run(Math.floor(now));
    } catch {
      // a store that refuses the write (full, read-only) still signs the cookie out until vigil restarts;
      // readiness already says the store is not writable
    }
  }

  revoked(cookie: string): boolean {
    return this.ids.has(idOf(cookie));
  }
}
