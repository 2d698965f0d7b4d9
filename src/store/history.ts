import type { Db } from './db.js';

export type HistoryKind = 'status' | 'intent' | 'action';

export interface HistoryEntry {
  key: string;
  containerId: string;
  name: string;
  at: number;
  kind: HistoryKind;
  data: Record<string, unknown>;
}

interface Row {
  key: string;
  container_id: string;
  name: string;
  at: number;
  kind: HistoryKind;
  data: string;
}

export class HistoryStore {
  private readonly addStmt;
  private readonly sinceStmt;
  private readonly lastBeforeStmt;
  private readonly pruneStmt;
  private readonly rekeyStmt;

  constructor(db: Db) {
    this.addStmt = db.prepare(
      'INSERT INTO history (key, container_id, name, at, kind, data) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.sinceStmt = db.prepare<[string, number], Row>(
      'SELECT * FROM history WHERE key = ? AND at >= ? ORDER BY at, id',
    );
    this.lastBeforeStmt = db.prepare<[string, number], Row>(
      "SELECT * FROM history WHERE key = ? AND kind = 'status' AND at < ? ORDER BY at DESC, id DESC LIMIT 1",
    );
    this.pruneStmt = db.prepare('DELETE FROM history WHERE at < ?');
    this.rekeyStmt = db.prepare('UPDATE history SET key = ? WHERE key = ?');
  }

  add(entry: HistoryEntry): void {
    this.addStmt.run(entry.key, entry.containerId, entry.name, entry.at, entry.kind, JSON.stringify(entry.data));
  }

  since(key: string, from: number): HistoryEntry[] {
    return this.sinceStmt.all(key, from).map(toEntry);
  }

  /** The status in force at `at`: the last status entry before it. */
  statusBefore(key: string, at: number): HistoryEntry | undefined {
    const row = this.lastBeforeStmt.get(key, at);
    return row && toEntry(row);
  }

  /** A container vigil recreated: its history goes with the new one's key. */
  rekey(from: string, to: string): void {
    this.rekeyStmt.run(to, from);
  }

  /** Deletes entries older than `before`; returns how many. */
  prune(before: number): number {
    return this.pruneStmt.run(before).changes;
  }
}

function toEntry(r: Row): HistoryEntry {
  return {
    key: r.key,
    containerId: r.container_id,
    name: r.name,
    at: r.at,
    kind: r.kind,
    data: JSON.parse(r.data) as Record<string, unknown>,
  };
}
