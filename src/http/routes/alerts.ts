import type { Router } from '@koa/router';
import { AckError, ContainersNotReadYet, type AlertBridge } from '../../alerts/bridge.js';
import { SYNCING_RETRY_AFTER_SECONDS } from '../../containers/source.js';
import type { AlertRecord } from '../../store/alerts.js';
import { actionRequired, alertSource, noAttentionContext, type AttentionContext } from '../../alerts/attention.js';
import { parseWebhookPayload } from '../../alerts/payload.js';
import { readJsonBody } from '../body.js';
import { HttpError } from '../errors.js';

/** POST /api/v1/alertmanager: the webhook. 2xx only once the alerts are in the store. */
export function webhookRoutes(router: Router, bridge: AlertBridge, maxBytes: number): void {
  router.post('/api/v1/alertmanager', async (ctx) => {
    let body: unknown;
    try {
      body = await readJsonBody(ctx, maxBytes);
    } catch (err) {
      bridge.count('rejected');
      throw err;
    }
    const parsed = parseWebhookPayload(body);
    // Alertmanager does not retry a 4xx: right for a payload that can never succeed
    if (!parsed.ok) {
      bridge.count('rejected');
      throw new HttpError(400, `not an Alertmanager webhook payload (version 4): ${parsed.problems.join('; ')}`, {
        problems: parsed.problems,
      });
    }
    let result: ReturnType<AlertBridge['receive']>;
    try {
      result = bridge.receive(parsed.payload);
    } catch (err) {
      if (!(err instanceof ContainersNotReadYet)) throw err;
      bridge.count('deferred');
      // a 5xx, which Alertmanager retries; logged at info: vigil's first moments are no one's fault
      throw new HttpError(503, err.message, { retryAfterSeconds: SYNCING_RETRY_AFTER_SECONDS }, 'info');
    }
    bridge.count(result.recorded > 0 || parsed.payload.alerts.length === 0 ? 'recorded' : 'duplicate');
    ctx.body = { status: 'recorded', ...result };
  });
}

const fingerprintPattern = /^[0-9a-f]{1,64}$/;

/** Pure: `limit` (1 to 1000, 100 when absent) and `cursor` (from the previous page's `nextCursor`). */
export function parsePage(query: Record<string, string | string[] | undefined>): { limit: number; cursor: number } {
  const { limit, cursor } = query;
  if (
    limit !== undefined &&
    (typeof limit !== 'string' || !/^\d{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > 1000)
  ) {
    throw new HttpError(400, `limit must be a whole number from 1 to 1000, not "${String(limit).slice(0, 40)}"`);
  }
  if (cursor !== undefined && (typeof cursor !== 'string' || !/^\d{1,15}$/.test(cursor))) {
    throw new HttpError(400, `cursor must be the nextCursor of an earlier page, not "${String(cursor).slice(0, 40)}"`);
  }
  return { limit: limit === undefined ? 100 : Number(limit), cursor: cursor === undefined ? 0 : Number(cursor) };
}

/** One alert as the API and the live page show it. */
export function alertView(a: AlertRecord, attention: AttentionContext = noAttentionContext) {
  return {
    id: a.fingerprint,
    alertname: a.alertname,
    severity: a.severity,
    status: a.status,
    source: alertSource(a),
    actionRequired: actionRequired(a, attention),
    container: a.containerName,
    since: a.startsAt,
    summary: a.annotations.summary ?? null,
    description: a.annotations.description ?? null,
    labels: a.labels,
    acknowledged: a.acknowledgedAt !== null,
    acknowledgedBy: a.acknowledgedBy,
    acknowledgedAt: a.acknowledgedAt === null ? null : new Date(a.acknowledgedAt).toISOString(),
    silenceId: a.silenceId,
    ...(a.status === 'resolved'
      ? { resolvedAt: new Date(a.updatedAt).toISOString(), closedReason: a.closedReason }
      : {}),
  };
}

/** The body of GET /api/v1/alerts: one page of firing alerts, and the total counted by the store. */
export function alertsBody(bridge: AlertBridge, limit = 100, cursor = 0) {
  const page = bridge.activePage(limit, cursor);
  const counts = bridge.activeCounts();
  const attention = bridge.attention();
  return {
    total: Object.values(counts).reduce((a, b) => a + b, 0),
    nextCursor: page.next === null ? null : String(page.next),
    alerts: page.alerts.map((a) => alertView(a, attention)),
  };
}

export function alertRoutes(router: Router, bridge: AlertBridge): void {
  router.get('/api/v1/alerts', (ctx) => {
    const { limit, cursor } = parsePage(ctx.query);
    const state = ctx.query.state;
    if (state !== undefined && state !== 'firing' && state !== 'resolved') {
      throw new HttpError(400, `state must be firing or resolved, not "${String(state).slice(0, 40)}"`);
    }
    // resolved alerts: the most recent, newest first (no cursor: the page shows the last few)
    ctx.body =
      state === 'resolved'
        ? { alerts: bridge.recentlyResolved(Math.min(limit, 100)).map((a) => alertView(a)) }
        : alertsBody(bridge, limit, cursor);
  });

  router.post('/api/v1/alerts/:id/acknowledge', async (ctx) => {
    const id = ctx.params.id!;
    if (!fingerprintPattern.test(id))
      throw new HttpError(400, 'malformed alert id: an alert id is its fingerprint (hexadecimal)');
    const body = ((await readJsonBody(ctx, 16 * 1024, false)) ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'body must be a JSON object');
    const by = body.by ?? 'vigil API';
    const comment = body.comment ?? '';
    const minutes = body.durationMinutes ?? 240;
    if (typeof by !== 'string' || by.length === 0 || by.length > 200)
      throw new HttpError(400, 'by must be a name of 1 to 200 characters');
    if (typeof comment !== 'string' || comment.length > 2000)
      throw new HttpError(400, 'comment must be text of at most 2000 characters');
    if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 1 || minutes > 7 * 24 * 60)
      throw new HttpError(400, 'durationMinutes must be a whole number from 1 to 10080');
    try {
      const alert = await bridge.acknowledge(id, by, comment, minutes * 60_000);
      ctx.body = {
        id: alert.fingerprint,
        acknowledgedBy: alert.acknowledgedBy,
        acknowledgedAt: new Date(alert.acknowledgedAt!).toISOString(),
        silenceId: alert.silenceId,
      };
    } catch (err) {
      if (err instanceof AckError) throw new HttpError(err.status, err.message);
      throw err;
    }
  });
}
