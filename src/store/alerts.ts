import type { Db } from './db.js';

export interface AlertRecord {
  fingerprint: string;
  startsAt: string;
  status: 'firing' | 'resolved';
  alertname: string;
  severity: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  endsAt: string | null;
  generatorUrl: string | null;
  containerName: string | null;
  receivedAt: number;
  updatedAt: number;
  acknowledgedBy: string | null;
  acknowledgedAt: number | null;
  silenceId: string | null;
  /** 'expired' when closed because Alertmanager stopped speaking of it. */
  closedReason: string | null;
}

interface Row {
  fingerprint: string;
  starts_at: string;
  status: 'firing' | 'resolved';
  alertname: string;
  severity: string;
  labels: string;
  annotations: string;
  ends_at: string | null;
  generator_url: string | null;
  container_name: string | null;
  received_at: number;
  updated_at: number;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  silence_id: string | null;
  closed_reason: string | null;
  rid?: number;
}

const fromRow = (r: Row): AlertRecord => ({
  fingerprint: r.fingerprint,
  startsAt: r.starts_at,
  status: r.status,
  alertname: r.alertname,
  severity: r.severity,
  labels: JSON.parse(r.labels) as Record<string, string>,
  annotations: JSON.parse(r.annotations) as Record<string, string>,
  endsAt: r.ends_at,
  generatorUrl: r.generator_url,
  containerName: r.container_name,
  receivedAt: r.received_at,
  updatedAt: r.updated_at,
  acknowledgedBy: r.acknowledged_by,
  acknowledgedAt: r.acknowledged_at,
  silenceId: r.silence_id,
  closedReason: r.closed_reason,
});

export type RecordOutcome = 'new' | 'changed' | 'duplicate';

export class AlertStore {
  private readonly getStmt;
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly activeStmt;
  private readonly latestStmt;
  private readonly ackStmt;
  private readonly touchStmt;
  private readonly pageStmt;
  private readonly countStmt;
  private readonly pruneStmt;
  private readonly expireStmt;
  private readonly resolvedStmt;

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare<[string, string], Row>('SELECT * FROM alerts WHERE fingerprint = ? AND starts_at = ?');
    this.resolvedStmt = db.prepare<[number], Row>(
      "SELECT * FROM alerts WHERE status = 'resolved' ORDER BY updated_at DESC LIMIT ?",
    );
    this.insertStmt = db.prepare(
      `INSERT INTO alerts (fingerprint, starts_at, status, alertname, severity, labels, annotations, ends_at, generator_url, container_name, received_at, updated_at)
       VALUES (@fingerprint, @startsAt, @status, @alertname, @severity, @labels, @annotations, @endsAt, @generatorUrl, @containerName, @now, @now)`,
    );
    this.updateStmt = db.prepare(
      'UPDATE alerts SET status = ?, ends_at = ?, annotations = ?, updated_at = ? WHERE fingerprint = ? AND starts_at = ?',
    );
    this.activeStmt = db.prepare<[], Row>("SELECT * FROM alerts WHERE status = 'firing' ORDER BY received_at");
    this.latestStmt = db.prepare<[string], Row>(
      'SELECT * FROM alerts WHERE fingerprint = ? ORDER BY starts_at DESC LIMIT 1',
    );
    this.touchStmt = db.prepare('UPDATE alerts SET updated_at = ? WHERE fingerprint = ? AND starts_at = ?');
    this.pageStmt = db.prepare<[number, number], Row>(
      "SELECT rowid AS rid, * FROM alerts WHERE status = 'firing' AND rowid > ? ORDER BY rowid LIMIT ?",
    );
    this.countStmt = db.prepare<[], { severity: string; n: number }>(
      "SELECT severity, count(*) AS n FROM alerts WHERE status = 'firing' GROUP BY severity",
    );
    this.pruneStmt = db.prepare("DELETE FROM alerts WHERE status = 'resolved' AND updated_at < ?");
    // not heard of since `before`, and past its own endsAt when it has one
    this.expireStmt = db.prepare(
      `UPDATE alerts SET status = 'resolved', closed_reason = 'expired', updated_at = @now
       WHERE status = 'firing' AND updated_at < @before AND (ends_at IS NULL OR julianday(ends_at) < julianday(@beforeIso))`,
    );
    this.ackStmt = db.prepare(
      'UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ?, silence_id = ? WHERE fingerprint = ? AND starts_at = ?',
    );
  }

  /**
   * Records a batch in one transaction (all or nothing). Delivery is at-least-once, so an alert whose
   * (fingerprint, startsAt) is already recorded with the same status is a duplicate.
   */
  recordAll(
    alerts: readonly Omit<
      AlertRecord,
      'receivedAt' | 'updatedAt' | 'acknowledgedBy' | 'acknowledgedAt' | 'silenceId' | 'closedReason'
    >[],
    now: number,
  ): RecordOutcome[] {
    return this.db.transaction(() =>
      alerts.map((a): RecordOutcome => {
        const existing = this.getStmt.get(a.fingerprint, a.startsAt);
        if (!existing) {
          this.insertStmt.run({
            ...a,
            labels: JSON.stringify(a.labels),
            annotations: JSON.stringify(a.annotations),
            now,
          });
          return 'new';
        }
        if (existing.status === a.status) {
          // heard of again: a long-firing alert is not expired while Alertmanager keeps sending it
          this.touchStmt.run(now, a.fingerprint, a.startsAt);
          return 'duplicate';
        }
        this.updateStmt.run(a.status, a.endsAt, JSON.stringify(a.annotations), now, a.fingerprint, a.startsAt);
        return 'changed';
      }),
    )();
  }

  active(): AlertRecord[] {
    return this.activeStmt.all().map(fromRow);
  }

  /** Firing alerts in the order received, `limit` at a time; `cursor` is the last page's `next`. */
  activePage(limit: number, cursor = 0): { alerts: AlertRecord[]; next: number | null } {
    const rows = this.pageStmt.all(cursor, limit);
    return { alerts: rows.map(fromRow), next: rows.length === limit ? rows.at(-1)!.rid! : null };
  }

  /** Resolved alerts, the most recently closed first. */
  recentlyResolved(limit: number): AlertRecord[] {
    return this.resolvedStmt.all(limit).map(fromRow);
  }

  /** Firing alerts by severity, counted by the store. */
  activeCounts(): Record<string, number> {
    return Object.fromEntries(this.countStmt.all().map((r) => [r.severity, r.n]));
  }

  /** Closes firing alerts not heard of since `before` (and past their endsAt) as expired; returns how many. */
  expire(before: number, now: number): number {
    return this.expireStmt.run({ before, beforeIso: new Date(before).toISOString(), now }).changes;
  }

  /** Deletes resolved alerts last changed before `before`. */
  prune(before: number): number {
    return this.pruneStmt.run(before).changes;
  }

  latest(fingerprint: string): AlertRecord | undefined {
    const row = this.latestStmt.get(fingerprint);
    return row && fromRow(row);
  }

  acknowledge(fingerprint: string, startsAt: string, by: string, at: number, silenceId: string | null): void {
    this.ackStmt.run(by, at, silenceId, fingerprint, startsAt);
  }
}
