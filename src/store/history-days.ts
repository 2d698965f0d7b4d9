import type { DeliveryRow, StatusSample } from '../history/points.js';
import type { Db } from './db.js';

const DAY = 86_400_000;

/** What the daily history of channels and of the system reads: the outbox, the alerts, the status timeline. */
export class HistoryDaysStore {
  private readonly deliveriesStmt;
  private readonly statusStmt;
  private readonly statusBeforeStmt;
  private readonly alertStartsStmt;
  private readonly actionsStmt;

  constructor(db: Db) {
    this.deliveriesStmt = db.prepare<
      [string, number],
      { created_at: number; sent_at: number | null; attempts: number }
    >('SELECT created_at, sent_at, attempts FROM outbox WHERE channel = ? AND created_at >= ?');
    this.statusStmt = db.prepare<[number], { key: string; at: number; data: string }>(
      "SELECT key, at, data FROM history WHERE kind = 'status' AND at >= ? ORDER BY at, id",
    );
    // the status in force at the window's start, per container: its last entry before it
    this.statusBeforeStmt = db.prepare<[number], { key: string; at: number; data: string }>(
      `SELECT h.key, h.at, h.data FROM history h
         JOIN (SELECT key, max(id) AS id FROM history WHERE kind = 'status' AND at < ? GROUP BY key) last
           ON h.id = last.id`,
    );
    this.alertStartsStmt = db.prepare<[number], { starts_at: string }>(
      'SELECT starts_at FROM alerts WHERE received_at >= ?',
    );
    this.actionsStmt = db.prepare<[number], { at: number; data: string }>(
      "SELECT at, data FROM history WHERE kind = 'action' AND at >= ?",
    );
  }

  deliveries(channel: string, from: number): DeliveryRow[] {
    return this.deliveriesStmt
      .all(channel, from)
      .map((r) => ({ createdAt: r.created_at, sentAt: r.sent_at, attempts: r.attempts }));
  }

  /** Every container's status timeline since `from`, with the status in force then. */
  containerTimelines(from: number): { before: StatusSample | null; samples: StatusSample[] }[] {
    const byKey = new Map<string, { before: StatusSample | null; samples: StatusSample[] }>();
    const entry = (key: string) => byKey.get(key) ?? byKey.set(key, { before: null, samples: [] }).get(key)!;
    for (const r of this.statusBeforeStmt.all(from)) entry(r.key).before = toSample(r);
    for (const r of this.statusStmt.all(from)) entry(r.key).samples.push(toSample(r));
    return [...byKey.values()];
  }

  /** When each alert received since a day before `from` started (an alert can arrive late). */
  alertStarts(from: number): number[] {
    return this.alertStartsStmt
      .all(from - DAY)
      .map((r) => Date.parse(r.starts_at))
      .filter((at) => Number.isFinite(at) && at >= from);
  }

  /** When the medic's actions since `from` succeeded. */
  recoveries(from: number): number[] {
    return this.actionsStmt
      .all(from)
      .filter((r) => (JSON.parse(r.data) as { outcome?: string }).outcome === 'success')
      .map((r) => r.at);
  }
}

function toSample(r: { at: number; data: string }): StatusSample {
  const data = JSON.parse(r.data) as { state?: string; health?: string };
  return { at: r.at, state: data.state ?? 'unknown', health: data.health ?? 'none' };
}
