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
}

const fromRow = (r: Row): AlertRecord => ({
  fingerprint: r.fingerprint, startsAt: r.starts_at, status: r.status, alertname: r.alertname, severity: r.severity,
  labels: JSON.parse(r.labels) as Record<string, string>, annotations: JSON.parse(r.annotations) as Record<string, string>,
  endsAt: r.ends_at, generatorUrl: r.generator_url, containerName: r.container_name, receivedAt: r.received_at,
  updatedAt: r.updated_at, acknowledgedBy: r.acknowledged_by, acknowledgedAt: r.acknowledged_at, silenceId: r.silence_id,
});

export type RecordOutcome = 'new' | 'changed' | 'duplicate';

export class AlertStore {
  private readonly getStmt;
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly activeStmt;
  private readonly latestStmt;
  private readonly ackStmt;

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare<[string, string], Row>('SELECT * FROM alerts WHERE fingerprint = ? AND starts_at = ?');
    this.insertStmt = db.prepare(
      `INSERT INTO alerts (fingerprint, starts_at, status, alertname, severity, labels, annotations, ends_at, generator_url, container_name, received_at, updated_at)
       VALUES (@fingerprint, @startsAt, @status, @alertname, @severity, @labels, @annotations, @endsAt, @generatorUrl, @containerName, @now, @now)`,
    );
    this.updateStmt = db.prepare('UPDATE alerts SET status = ?, ends_at = ?, annotations = ?, updated_at = ? WHERE fingerprint = ? AND starts_at = ?');
    this.activeStmt = db.prepare<[], Row>("SELECT * FROM alerts WHERE status = 'firing' ORDER BY received_at");
    this.latestStmt = db.prepare<[string], Row>('SELECT * FROM alerts WHERE fingerprint = ? ORDER BY starts_at DESC LIMIT 1');
    this.ackStmt = db.prepare('UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ?, silence_id = ? WHERE fingerprint = ? AND starts_at = ?');
  }

  /**
   * Records a batch in one transaction (all or nothing). Delivery is at-least-once, so an alert whose
   * (fingerprint, startsAt) is already recorded with the same status is a duplicate.
   */
  recordAll(alerts: readonly Omit<AlertRecord, 'receivedAt' | 'updatedAt' | 'acknowledgedBy' | 'acknowledgedAt' | 'silenceId'>[], now: number): RecordOutcome[] {
    return this.db.transaction(() =>
      alerts.map((a): RecordOutcome => {
        const existing = this.getStmt.get(a.fingerprint, a.startsAt);
        if (!existing) {
          this.insertStmt.run({ ...a, labels: JSON.stringify(a.labels), annotations: JSON.stringify(a.annotations), now });
          return 'new';
        }
        if (existing.status === a.status) return 'duplicate';
        this.updateStmt.run(a.status, a.endsAt, JSON.stringify(a.annotations), now, a.fingerprint, a.startsAt);
        return 'changed';
      }),
    )();
  }

  active(): AlertRecord[] {
    return this.activeStmt.all().map(fromRow);
  }

  latest(fingerprint: string): AlertRecord | undefined {
    const row = this.latestStmt.get(fingerprint);
    return row && fromRow(row);
  }

  acknowledge(fingerprint: string, startsAt: string, by: string, at: number, silenceId: string | null): void {
    this.ackStmt.run(by, at, silenceId, fingerprint, startsAt);
  }
}
