import type { Db } from './db.js';

export interface OutboxRow {
  id: number;
  channel: string;
  dedupeKey: string;
  payload: string;
  createdAt: number;
  nextAt: number;
  attempts: number;
  status: 'pending' | 'sent' | 'expired';
  lastError: string | null;
}

interface Row {
  id: number;
  channel: string;
  dedupe_key: string;
  payload: string;
  created_at: number;
  next_at: number;
  attempts: number;
  status: OutboxRow['status'];
  last_error: string | null;
}

const fromRow = (r: Row): OutboxRow => ({
  id: r.id,
  channel: r.channel,
  dedupeKey: r.dedupe_key,
  payload: r.payload,
  createdAt: r.created_at,
  nextAt: r.next_at,
  attempts: r.attempts,
  status: r.status,
  lastError: r.last_error,
});

/** The durable outbox: written before sending, so that a crash of vigil loses nothing it meant to say. */
/** `notifications` in /api/v1/system: what waits in the outbox, all channels together. */
export interface QueueDepth {
  pending: number;
  oldestPendingSeconds: number;
}

export class OutboxStore {
  private readonly existsStmt;
  private readonly addStmt;
  private readonly dueStmt;
  private readonly sentStmt;
  private readonly retryStmt;
  private readonly expireStmt;
  private readonly depthStmt;
  private readonly pruneStmt;
  private readonly retryNowStmt;
  private readonly nextDueStmt;
  private readonly queueStmt;

  constructor(private readonly db: Db) {
    this.existsStmt = db.prepare<[string, string, number], { n: number }>(
      'SELECT count(*) AS n FROM outbox WHERE channel = ? AND dedupe_key = ? AND created_at >= ?',
    );
    this.addStmt = db.prepare(
      "INSERT INTO outbox (channel, dedupe_key, payload, created_at, next_at, status) VALUES (?, ?, ?, ?, ?, 'pending')",
    );
    this.dueStmt = db.prepare<[number, number], Row>(
      "SELECT * FROM outbox WHERE status = 'pending' AND next_at <= ? ORDER BY id LIMIT ?",
    );
    this.sentStmt = db.prepare(
      "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
    );
    this.retryStmt = db.prepare('UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?');
    this.expireStmt = db.prepare("UPDATE outbox SET status = 'expired', last_error = ? WHERE id = ?");
    this.depthStmt = db.prepare<[], { channel: string; n: number }>(
      "SELECT channel, count(*) AS n FROM outbox WHERE status = 'pending' GROUP BY channel",
    );
    this.pruneStmt = db.prepare("DELETE FROM outbox WHERE status != 'pending' AND created_at < ?");
    this.nextDueStmt = db.prepare<[], { at: number | null }>(
      "SELECT min(next_at) AS at FROM outbox WHERE status = 'pending'",
    );
    this.queueStmt = db.prepare<[], { n: number; oldest: number | null }>(
      "SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE status = 'pending'",
    );
    this.retryNowStmt = db.prepare("UPDATE outbox SET next_at = ? WHERE status = 'pending' AND next_at > ?");
  }

  /** Adds a message unless the same key went to the same channel within the dedupe window; true when added. */
  add(channel: string, dedupeKey: string, payload: string, now: number, dedupeWindowMs: number): boolean {
    return this.db.transaction(() => {
      if (this.existsStmt.get(channel, dedupeKey, now - dedupeWindowMs)!.n > 0) return false;
      this.addStmt.run(channel, dedupeKey, payload, now, now);
      return true;
    })();
  }

  due(now: number, limit = 100): OutboxRow[] {
    return this.dueStmt.all(now, limit).map(fromRow);
  }

  /** When the earliest pending message is due (it may be past), or null when nothing is pending. */
  nextDueAt(): number | null {
    return this.nextDueStmt.get()?.at ?? null;
  }

  markSent(ids: readonly number[], now: number): void {
    this.db.transaction(() => ids.forEach((id) => this.sentStmt.run(now, id)))();
  }

  retryLater(ids: readonly number[], nextAt: number, error: string): void {
    this.db.transaction(() => ids.forEach((id) => this.retryStmt.run(nextAt, error.slice(0, 1000), id)))();
  }

  expire(id: number, error: string): void {
    this.expireStmt.run(error.slice(0, 1000), id);
  }

  /** Pending messages per channel. */
  depth(): Map<string, number> {
    return new Map(this.depthStmt.all().map((r) => [r.channel, r.n]));
  }

  /** Pending messages of every channel, and how long the oldest has waited (0 when none waits). */
  queueDepth(now: number): QueueDepth {
    const { n, oldest } = this.queueStmt.get() ?? { n: 0, oldest: null };
    return { pending: n, oldestPendingSeconds: oldest === null ? 0 : Math.max(0, Math.round((now - oldest) / 1000)) };
  }

  /** Everything pending becomes due now (a new process owes no wait to the backoff of a dead one). */
  retryAllNow(now: number): number {
    return this.retryNowStmt.run(now, now).changes;
  }

  prune(before: number): number {
    return this.pruneStmt.run(before).changes;
  }
}
