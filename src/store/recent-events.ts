import type { Logger } from 'pino';
import type { EventBus, VigilEvent } from '../streams/event-bus.js';
import type { Db } from './db.js';

/** The events kept across restarts for the page's live feed. */
export const RECENT_EVENTS_KEPT = 500;
const FLUSH_MS = 1000;

/**
 * The latest events of the bus, kept in the store so that the live feed is filled on load even just
 * after vigil restarted. Events are written a second at a time, each batch in one transaction, and
 * the table holds the latest RECENT_EVENTS_KEPT.
 */
export class RecentEventStore {
  private readonly insertStmt;
  private readonly latestStmt;
  private readonly trimStmt;
  private readonly flushAll;
  private pending: VigilEvent[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    db: Db,
    private readonly logger: Logger,
    private readonly kept = RECENT_EVENTS_KEPT,
  ) {
    this.insertStmt = db.prepare('INSERT OR REPLACE INTO recent_events (id, at, body) VALUES (?, ?, ?)');
    this.latestStmt = db.prepare<[number], { body: string }>('SELECT body FROM recent_events ORDER BY id DESC LIMIT ?');
    this.trimStmt = db.prepare(
      'DELETE FROM recent_events WHERE id <= (SELECT id FROM recent_events ORDER BY id DESC LIMIT 1 OFFSET ?)',
    );
    this.flushAll = db.transaction((events: readonly VigilEvent[]) => {
      for (const e of events) this.insertStmt.run(e.id, Date.parse(e.time), JSON.stringify(e));
      this.trimStmt.run(this.kept);
    });
  }

  /** Follows the bus until stop(). */
  follow(bus: EventBus): () => void {
    const onEvent = (event: VigilEvent) => {
      this.pending.push(event);
      this.timer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
    };
    bus.on('event', onEvent);
    return () => {
      bus.off('event', onEvent);
      this.flush();
    };
  }

  /** Writes what waits; a store that refuses loses this batch from the feed's memory, nothing else. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    try {
      this.flushAll(batch);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, events: batch.length }, 'recent events not written');
    }
  }

  /** The latest `limit` events kept, oldest first. */
  latest(limit: number): VigilEvent[] {
    return this.latestStmt
      .all(limit)
      .map((r) => JSON.parse(r.body) as VigilEvent)
      .reverse();
  }
}

/** Pure: the latest `limit` events of the store and the bus's ring together, each once, oldest first. */
export function mergeRecent(stored: readonly VigilEvent[], ring: readonly VigilEvent[], limit: number): VigilEvent[] {
  const byId = new Map<number, VigilEvent>();
  for (const e of [...stored, ...ring]) byId.set(e.id, e);
  return [...byId.values()].sort((a, b) => a.id - b.id).slice(-limit);
}
