import { redactUrl } from '../logger.js';
import { postJson } from '../post-json.js';
import type { Logger } from 'pino';
import type { AlertRecord, AlertStore } from '../store/alerts.js';
import type { EventBus } from '../streams/event-bus.js';
import type { AlertAction } from '../recovery/decisions/diagnosis.js';
import { severityOf, type WebhookPayload } from './payload.js';
import { alertTarget, requestedAction, type AlertTarget } from './target.js';
import { noAttentionContext, type AttentionContext } from './attention.js';
import { isOwnEcho, LISTED_BY_THEIR_SOURCE } from './own/outgoing.js';

export interface AlertBridgeOptions {
  /** Alert labels that name a container, in order of preference. */
  containerLabels: readonly string[];
  /** Alertmanager, or a cluster's peers: a silence is created on the first that takes it and gossiped to the rest. */
  alertmanagerUrls: readonly string[];
  /** VIGIL_ALERT_INSTANCE, anchored; null: any instance. */
  instancePattern: RegExp | null;
  /** What tells whether a person must act on an alert (its containers, the medic's view); none: every alert. */
  attention?: () => AttentionContext;
  /** This vigil's host (VIGIL_HOST): its own alerts, sent back by Alertmanager, carry it in `host`. */
  host?: string;
  /** True while vigil's first read of the engine's containers is under way (ContainersSource.stillReading). */
  stillReading?: () => boolean;
}

/** What the bridge asks of the medic about one of this host's containers (by full id). */
export interface AlertReconciler {
  alertFiring(id: string, alertname: string, action: AlertAction | null): void;
  alertResolved(id: string, alertname: string): void;
}

/** What became of one webhook request: `deferred` is a 503 before vigil had read the engine's containers. */
export type WebhookOutcome = 'recorded' | 'duplicate' | 'rejected' | 'deferred';

/** An alert about this host: anything but another host's. */
type LocalTarget = Exclude<AlertTarget, { kind: 'other-host' }>;

export type AlertDisposition =
  | 'action_requested'
  | 'recorded'
  | 'not_actionable'
  | 'unknown_container'
  | 'ambiguous_container'
  | 'no_container'
  | 'other_host'
  | 'vigil_own';

/**
 * A payload naming a container vigil does not know while it has not yet read the engine's containers
 * once: refused whole, nothing recorded, for Alertmanager (which retries a 5xx) to send it again.
 */
export class ContainersNotReadYet extends Error {
  constructor(readonly ref: string) {
    super(
      `vigil is still reading the engine's containers and does not know "${ref.slice(0, 100)}" yet; nothing was recorded, send it again`,
    );
  }
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
 * The Alertmanager side of vigil: records every alert about this host durably (idempotent on
 * fingerprint, startsAt and status, as Alertmanager delivers at least once), hands a firing one whose
 * rule asks for an action (vigil_action) to the medic, publishes them for notification, and
 * acknowledges them with a silence in Alertmanager. Severity never implies an action.
 */
export class AlertBridge {
  /** Webhook requests by outcome, for vigil_webhook_requests_total. */
  readonly requests = new Map<WebhookOutcome, number>();
  /** Alerts received by what vigil made of them, for vigil_alerts_received_total. */
  readonly dispositions = new Map<AlertDisposition, number>();

  count(outcome: WebhookOutcome): void {
    this.requests.set(outcome, (this.requests.get(outcome) ?? 0) + 1);
  }

  constructor(
    private readonly store: AlertStore,
    private readonly bus: EventBus,
    private readonly reconciler: AlertReconciler,
    private readonly containers: () => readonly { id: string; name: string }[],
    private readonly logger: Logger,
    private readonly options: AlertBridgeOptions,
  ) {}

  receive(payload: WebhookPayload, now = Date.now()): { recorded: number; duplicates: number; otherHost: number } {
    const known = this.containers();
    const targetOptions = { nameLabels: this.options.containerLabels, instancePattern: this.options.instancePattern };
    // an alert about a container not read yet would be recorded as about "no such container" and its
    // action lost: its redelivery is a duplicate. Before anything is tallied or stored, then.
    if (this.options.stillReading?.() === true) {
      for (const alert of payload.alerts) {
        if (this.listedByItsSource(alert.labels)) continue;
        const target = alertTarget(alert.labels, known, targetOptions);
        if (target.kind === 'unknown' && !target.malformed) throw new ContainersNotReadYet(target.ref);
      }
    }
    const ours: { alert: WebhookPayload['alerts'][number]; target: LocalTarget }[] = [];
    let otherHost = 0;
    const own: boolean[] = [];
    for (const alert of payload.alerts) {
      // vigil's own alert, back from Alertmanager: listed already by what raised it, or listed once now
      if (this.options.host !== undefined && isOwnEcho(alert.labels, this.options.host)) {
        this.tally('vigil_own');
        if (this.listedByItsSource(alert.labels)) continue;
      }
      const target = alertTarget(alert.labels, known, targetOptions);
      if (target.kind === 'other-host') {
        otherHost++;
        this.tally('other_host');
      } else {
        ours.push({ alert, target });
        own.push(alert.labels.source === 'vigil');
      }
    }
    const rows = ours.map(({ alert: a, target }) => ({
      fingerprint: a.fingerprint,
      startsAt: a.startsAt,
      status: a.status,
      alertname: a.labels.alertname!,
      severity: severityOf(a.labels),
      labels: a.labels,
      annotations: a.annotations,
      endsAt: a.endsAt.startsWith('0001-01-01') ? null : a.endsAt,
      generatorUrl: a.generatorURL || null,
      containerName:
        target.kind === 'container' ? target.name : target.kind === 'none' ? null : target.ref.slice(0, 255),
    }));
    // recorded before anything acts on it: the 2xx Alertmanager gets means it is in the store
    const outcomes = this.store.recordAll(rows, now);
    let duplicates = 0;
    rows.forEach((row, i) => {
      if (outcomes[i] === 'duplicate') {
        duplicates++;
        return;
      }
      const { target } = ours[i]!;
      // raised by a vigil, which told its channels and acted itself: recorded, nothing acts on it twice
      if (own[i]) return;
      const decision = this.decide(row.status, row.alertname, row.labels, target);
      this.bus.publish({
        type: 'alert',
        ...(target.kind === 'container' ? { container: { id: target.id.slice(0, 12), name: target.name } } : {}),
        data: {
          status: row.status,
          alertname: row.alertname,
          severity: row.severity,
          fingerprint: row.fingerprint,
          startsAt: row.startsAt,
          summary: row.annotations.summary ?? '',
          description: row.annotations.description ?? '',
          labels: row.labels,
          vigil: decision,
          // what the alert calls its container, when that is no container of this host
          ...(target.kind === 'unknown' || target.kind === 'ambiguous'
            ? { containerRef: target.ref.slice(0, 255) }
            : {}),
        },
      });
    });
    return { recorded: rows.length - duplicates, duplicates, otherHost };
  }

  /** vigil's own alert, back from Alertmanager, that what raised it has listed already: nothing to do. */
  private listedByItsSource(labels: Readonly<Record<string, string>>): boolean {
    const { host } = this.options;
    return host !== undefined && isOwnEcho(labels, host) && LISTED_BY_THEIR_SOURCE.has(labels.alertname ?? '');
  }

  /** What vigil does about one new alert state, said in words for the event and the notification. */
  private decide(
    status: 'firing' | 'resolved',
    alertname: string,
    labels: Record<string, string>,
    target: LocalTarget,
  ): { action: string | null; note: string } {
    if (target.kind !== 'container') {
      this.tally(
        target.kind === 'none'
          ? 'no_container'
          : target.kind === 'unknown'
            ? 'unknown_container'
            : 'ambiguous_container',
      );
      if (target.kind !== 'none')
        this.logger.info(
          { alert: alertname, container: target.ref.slice(0, 100), reason: target.reason },
          'alert names no single container of this host; recorded, no action',
        );
      return {
        action: null,
        note: target.kind === 'none' ? 'about no container; recorded' : `recorded, no action: ${target.reason}`,
      };
    }
    if (status === 'resolved') {
      this.reconciler.alertResolved(target.id, alertname);
      return { action: null, note: 'resolved' };
    }
    const requested = requestedAction(labels);
    if (!requested.ok || !target.actionable) {
      const why = !requested.ok ? requested.problem : (target as { reason: string }).reason;
      this.tally('not_actionable');
      this.reconciler.alertFiring(target.id, alertname, null);
      return { action: null, note: `recorded, no action: ${why}` };
    }
    this.tally(requested.action === null ? 'recorded' : 'action_requested');
    this.reconciler.alertFiring(target.id, alertname, requested.action);
    return requested.action === null
      ? { action: null, note: 'recorded, no action: the rule asks for none (no vigil_action label)' }
      : {
          action: requested.action,
          note: `the rule asks for ${requested.action} (vigil_action); vigil does it if policy and backoff allow`,
        };
  }

  private tally(disposition: AlertDisposition): void {
    this.dispositions.set(disposition, (this.dispositions.get(disposition) ?? 0) + 1);
  }

  /** Read once per answer: the containers and recovery states an alert's actionRequired depends on. */
  attention(): AttentionContext {
    return this.options.attention?.() ?? noAttentionContext;
  }

  activePage(limit: number, cursor: number): { alerts: AlertRecord[]; next: number | null } {
    return this.store.activePage(limit, cursor);
  }

  activeCounts(): Record<string, number> {
    return this.store.activeCounts();
  }

  recentlyResolved(limit: number): AlertRecord[] {
    return this.store.recentlyResolved(limit);
  }

  /** Silences the alert in Alertmanager (matching all its labels) and records who did it and when. */
  async acknowledge(
    fingerprint: string,
    by: string,
    comment: string,
    durationMs: number,
    now = Date.now(),
  ): Promise<AlertRecord> {
    const alert = this.store.latest(fingerprint);
    if (!alert) throw new AckError(404, `no alert with fingerprint ${fingerprint}`);
    if (alert.status !== 'firing')
      throw new AckError(409, `alert ${alert.alertname} (${fingerprint}) is already resolved`);
    let silenceId: string | null = null;
    if (this.options.alertmanagerUrls.length > 0) {
      const silence = {
        matchers: Object.entries(alert.labels).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true })),
        startsAt: new Date(now).toISOString(),
        endsAt: new Date(now + durationMs).toISOString(),
        createdBy: by,
        comment: comment || `acknowledged in vigil by ${by}`,
      };
      silenceId = await this.createSilence(silence);
    }
    this.store.acknowledge(alert.fingerprint, alert.startsAt, by, now, silenceId);
    this.bus.publish({ type: 'alert.acknowledged', data: { fingerprint, alertname: alert.alertname, by, silenceId } });
    return this.store.latest(fingerprint)!;
  }

  /** The silence on the first peer that takes it; the cluster gossips it to the others. */
  private async createSilence(silence: Record<string, unknown>): Promise<string | null> {
    const failures: string[] = [];
    for (const url of this.options.alertmanagerUrls) {
      try {
        const created = await postJson(`${url.replace(/\/$/, '')}/api/v2/silences`, silence);
        return (created as { silenceID?: string } | null)?.silenceID ?? null;
      } catch (err) {
        failures.push(`${redactUrl(url)}: ${(err as Error).message}`);
      }
    }
    throw new AckError(502, `Alertmanager did not create the silence: ${failures.join('; ')}`);
  }
}
