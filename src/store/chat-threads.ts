import type { Db } from './db.js';

/** Where each incident's chat thread hangs, per channel: replies after a restart of vigil join it too. */
export class ChatThreadStore {
  private readonly getStmt;
  private readonly putStmt;
  private readonly pruneStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare<[string, string], { thread: string }>(
      'SELECT thread FROM chat_threads WHERE channel = ? AND incident_id = ?',
    );
    this.putStmt = db.prepare(
      'INSERT OR IGNORE INTO chat_threads (channel, incident_id, thread, created_at) VALUES (?, ?, ?, ?)',
    );
    this.pruneStmt = db.prepare('DELETE FROM chat_threads WHERE created_at < ?');
  }

  get(channel: string, incidentId: string): string | undefined {
    return this.getStmt.get(channel, incidentId)?.thread;
  }

  /** The first message's thread stays: a later one never moves it. */
  put(channel: string, incidentId: string, thread: string, at = Date.now()): void {
    this.putStmt.run(channel, incidentId, thread, at);
  }

  prune(before: number): number {
    return this.pruneStmt.run(before).changes;
  }
}
