import { z } from 'zod';

const labelSet = z.record(z.string(), z.string());

/** Alertmanager's webhook payload, version 4 (every documented field; unknown extra fields tolerated). */
export const webhookPayloadSchema = z.looseObject({
  version: z.literal('4', { error: 'version must be "4" (Alertmanager webhook payload version 4)' }),
  groupKey: z.string(),
  truncatedAlerts: z.number().int().min(0).optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  groupLabels: labelSet,
  commonLabels: labelSet,
  commonAnnotations: labelSet,
  externalURL: z.string(),
  alerts: z
    .array(
      z.looseObject({
        status: z.enum(['firing', 'resolved']),
        labels: labelSet.refine((l) => typeof l.alertname === 'string', {
          message: 'every alert needs an alertname label',
        }),
        annotations: labelSet,
        startsAt: z.iso.datetime({ offset: true }),
        endsAt: z.string(),
        generatorURL: z.string(),
        fingerprint: z.string().regex(/^[0-9a-f]{1,64}$/, 'fingerprint must be hexadecimal'),
      }),
    )
    .max(10_000),
});

export type WebhookPayload = z.output<typeof webhookPayloadSchema>;
export type WebhookAlert = WebhookPayload['alerts'][number];

/** Pure: the payload, or every problem with it named by its path (alerts.0.labels, version, …). */
export function parseWebhookPayload(
  body: unknown,
): { ok: true; payload: WebhookPayload } | { ok: false; problems: string[] } {
  const result = webhookPayloadSchema.safeParse(body);
  if (result.success) return { ok: true, payload: result.data };
  return {
    ok: false,
    problems: result.error.issues.slice(0, 20).map((i) => `${i.path.join('.') || 'body'}: ${i.message}`),
  };
}

/** Pure: the container an alert is about, from the first of the configured labels it carries. */
export function containerOfAlert(labels: Record<string, string>, labelNames: readonly string[]): string | null {
  for (const name of labelNames) {
    const value = labels[name]?.trim();
    if (value) return value.replace(/^\//, '');
  }
  return null;
}

/** Pure: the severity label as vigil's scale (critical, warning, info). */
export function severityOf(labels: Record<string, string>): 'critical' | 'warning' | 'info' {
  const s = labels.severity?.toLowerCase();
  if (s === 'critical' || s === 'page' || s === 'error') return 'critical';
  if (s === 'warning' || s === 'warn') return 'warning';
  return 'info';
}
