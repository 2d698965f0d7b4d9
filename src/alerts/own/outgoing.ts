/**
 * vigil's own alerts as Alertmanager's API v2 takes them (POST /api/v2/alerts, a list of
 * `postableAlert`: labels, annotations, startsAt, endsAt, generatorURL), sent the way Prometheus sends
 * its rules' alerts: every active alert again on each resend, its endsAt a few resends ahead (so that
 * Alertmanager resolves it by itself if vigil stops speaking), and a resolved one with endsAt at the
 * moment it ended, repeated for a while so that one lost request does not leave it firing.
 */

/** The alertnames vigil raises itself. */
export const OWN_ALERTNAMES = {
  gaveUp: 'VigilRecoveryGaveUp',
  probe: 'VigilProbeFailing',
  cpuSpike: 'VigilCpuSpike',
  memorySpike: 'VigilMemorySpike',
  hostCpu: 'VigilHostCpu',
  hostMemory: 'VigilHostMemory',
  channel: 'VigilChannelFailing',
  bootLeftDown: 'VigilBootLeftDown',
} as const;

/**
 * Those vigil also records in its own alert list as it raises them (src/resources/spike-watch.ts,
 * host-watch.ts): when Alertmanager sends one back to vigil's webhook, it is already listed.
 */
export const LISTED_BY_THEIR_SOURCE: ReadonlySet<string> = new Set([
  OWN_ALERTNAMES.cpuSpike,
  OWN_ALERTNAMES.memorySpike,
  OWN_ALERTNAMES.hostCpu,
  OWN_ALERTNAMES.hostMemory,
]);

export type OwnSeverity = 'critical' | 'warning' | 'info';

/** One alert vigil holds active now. */
export interface OwnAlert {
  alertname: string;
  severity: OwnSeverity;
  /** The container's name, or null for an alert about the host or vigil itself. */
  container: string | null;
  /** Labels that tell two alerts of one alertname and container apart (a channel's name, a resource). */
  extraLabels?: Readonly<Record<string, string>>;
  summary: string;
  description: string;
}

/** An alert vigil has spoken of: when it began, and when it ended (null while active). */
export interface Tracked {
  alert: OwnAlert;
  startsAt: number;
  resolvedAt: number | null;
}

/** Alertmanager's postableAlert (API v2). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

/** Active alerts carry an endsAt this many resends ahead, as Prometheus does (4 × its resend delay). */
export const ENDS_AFTER_RESENDS = 4;

/** Pure: what identifies an alert across resends: its alertname, container and extra labels. */
export function ownAlertKey(alert: OwnAlert): string {
  const extra = Object.entries(alert.extraLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([alert.alertname, alert.container, extra]);
}

/**
 * Pure: the alerts spoken of after this tick. A newly active one starts now; one still active keeps
 * its start (and its text is refreshed); one no longer active is resolved now and kept `keepResolvedMs`
 * so that its resolution is sent again; one active again after resolving starts anew.
 */
export function nextTracked(
  previous: ReadonlyMap<string, Tracked>,
  active: readonly OwnAlert[],
  now: number,
  keepResolvedMs: number,
): Map<string, Tracked> {
  const next = new Map<string, Tracked>();
  for (const alert of active) {
    const key = ownAlertKey(alert);
    if (next.has(key)) continue;
    const before = previous.get(key);
    const startsAt = before && before.resolvedAt === null ? before.startsAt : now;
    next.set(key, { alert, startsAt, resolvedAt: null });
  }
  for (const [key, before] of previous) {
    if (next.has(key)) continue;
    const resolvedAt = before.resolvedAt ?? now;
    if (now - resolvedAt < keepResolvedMs) next.set(key, { ...before, resolvedAt });
  }
  return next;
}

/** Pure: the labels of an alert: its extra labels first, so that none can pass for vigil's own. */
export function ownAlertLabels(alert: OwnAlert, host: string): Record<string, string> {
  return {
    ...alert.extraLabels,
    alertname: alert.alertname,
    severity: alert.severity,
    host,
    ...(alert.container === null ? {} : { container: alert.container }),
    source: 'vigil',
  };
}

/** Pure: the request body for Alertmanager: every alert tracked, active ones ending a few resends ahead. */
export function postableAlerts(
  tracked: Iterable<Tracked>,
  host: string,
  now: number,
  resendMs: number,
): PostableAlert[] {
  return [...tracked].map(({ alert, startsAt, resolvedAt }) => ({
    labels: ownAlertLabels(alert, host),
    annotations: { summary: alert.summary, description: alert.description },
    startsAt: new Date(startsAt).toISOString(),
    endsAt: new Date(resolvedAt ?? now + ENDS_AFTER_RESENDS * resendMs).toISOString(),
  }));
}

/** Pure: whether an alert Alertmanager sent to the webhook is one this vigil raised (it acts on none of them). */
export function isOwnEcho(labels: Readonly<Record<string, string>>, host: string): boolean {
  return labels.source === 'vigil' && labels.host === host;
}
