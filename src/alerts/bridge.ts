import type { Logger } from 'pino';
import type { AlertRecord, AlertStore } from '../store/alerts.js';
import type { EventBus } from '../streams/event-bus.js';
import { containerOfAlert, severityOf, type WebhookPayload } from './payload.js';

export interface AlertBridgeOptions {
  /** Alert labels that name a container, in order of preference. */
  containerLabels: readonly string[];
  alertmanagerUrl: string | undefined;
}

/** What the bridge asks of the medic: reconcile a container an alert names. */
export interface AlertReconciler {
  alertFiring(containerRef: string, alertname: string): boolean;
  alertResolved(containerRef: string, alertname: string): void;
}

export class AckError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The Alertmanager side of vigil: records every alert durably (idempotent on fingerprint, startsAt
 * and status, as Alertmanager delivers at least once), hands firing ones that name a container to the
 * medic, publishes them for notification, and acknowledges them with a silence in Alertmanager.
 */
export class AlertBridge {
  /** Webhook requests by outcome, for vigil_webhook_requests_total. */
  readonly requests = new Map<'recorded' | 'duplicate' | 'rejected', number>();

  count(outcome: 'recorded' | 'duplicate' | 'rejected'): void {
    this.requests.set(outcome, (this.requests.get(outcome) ?? 0) + 1);
  }

  constructor(
    private readonly store: AlertStore,
    private readonly bus: EventBus,
    private readonly reconciler: AlertReconciler,
    private readonly logger: Logger,
    private readonly options: AlertBridgeOptions,
  ) {}

  receive(payload: WebhookPayload, now = Date.now()): { recorded: number; duplicates: number } {
    const rows = payload.alerts.map((a) => ({
      fingerprint: a.fingerprint,
      startsAt: a.startsAt,
      status: a.status,
      alertname: a.labels.alertname!,
      severity: severityOf(a.labels),
      labels: a.labels,
      annotations: a.annotations,
      endsAt: a.endsAt.startsWith('0001-01-01') ? null : a.endsAt,
      generatorUrl: a.generatorURL || null,
      containerName: containerOfAlert(a.labels, this.options.containerLabels),
    }));
    // recorded before anything acts on it: the 2xx Alertmanager gets means it is in the store
    const outcomes = this.store.recordAll(rows, now);
    let duplicates = 0;
    rows.forEach((row, i) => {
      if (outcomes[i] === 'duplicate') {
        duplicates++;
        return;
      }
      this.bus.publish({
        type: 'alert',
        ...(row.containerName ? { container: { id: row.containerName, name: row.containerName } } : {}),
        data: { status: row.status, alertname: row.alertname, severity: row.severity, fingerprint: row.fingerprint, startsAt: row.startsAt, summary: row.annotations.summary ?? '', description: row.annotations.description ?? '', labels: row.labels },
      });
      if (!row.containerName) return;
      if (row.status === 'firing') {
        const known = this.reconciler.alertFiring(row.containerName, row.alertname);
        if (!known) this.logger.info({ container: row.containerName, alert: row.alertname }, 'alert names a container vigil does not know');
      } else {
        this.reconciler.alertResolved(row.containerName, row.alertname);
      }
    });
    return { recorded: rows.length - duplicates, duplicates };
  }

  active(): AlertRecord[] {
    return this.store.active();
  }

  /** Silences the alert in Alertmanager (matching all its labels) and records who did it and when. */
  async acknowledge(fingerprint: string, by: string, comment: string, durationMs: number, now = Date.now()): Promise<AlertRecord> {
    const alert = this.store.latest(fingerprint);
    if (!alert) throw new AckError(404, `no alert with fingerprint ${fingerprint}`);
    if (alert.status !== 'firing') throw new AckError(409, `alert ${alert.alertname} (${fingerprint}) is already resolved`);
    let silenceId: string | null = null;
    if (this.options.alertmanagerUrl) {
      try {
        const { default: axios } = await import('axios'); // loaded on first use: most vigils never acknowledge
        const res = await axios.post(
          `${this.options.alertmanagerUrl.replace(/\/$/, '')}/api/v2/silences`,
          {
            matchers: Object.entries(alert.labels).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true })),
            startsAt: new Date(now).toISOString(),
            endsAt: new Date(now + durationMs).toISOString(),
            createdBy: by,
            comment: comment || `acknowledged in vigil by ${by}`,
          },
          { timeout: 10_000 },
        );
        silenceId = (res.data as { silenceID?: string }).silenceID ?? null;
      } catch (err) {
        throw new AckError(502, `Alertmanager did not create the silence: ${(err as Error).message}`);
      }
    }
    this.store.acknowledge(alert.fingerprint, alert.startsAt, by, now, silenceId);
    this.bus.publish({ type: 'alert.acknowledged', data: { fingerprint, alertname: alert.alertname, by, silenceId } });
    return this.store.latest(fingerprint)!;
  }
}
