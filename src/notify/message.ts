import type { BootSummary } from '../recovery/boot/boot-report.js';
import { causeOfStateEvent } from '../containers/health.js';
import type { IncidentRef, VigilEvent } from '../streams/event-bus.js';
import type { notifyEvents, severities } from './channel-config.js';

/** "1 container", "2 containers": a count with its noun, in every message. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export type NotifyEvent = (typeof notifyEvents)[number];
export type Severity = (typeof severities)[number];

/** One thing to tell people about; a channel renders it in its own way. */
export interface Notification {
  /** Same key within the dedupe window: the same news, sent once. */
  key: string;
  event: NotifyEvent;
  severity: Severity;
  /** One line: what happened to what. */
  title: string;
  /** What happened, to which container, and what vigil did about it. */
  text: string;
  container?: { id: string; name: string };
  links: { label: string; url: string }[];
  at: string;
  /** The incident it belongs to: mail threads on it, webhooks carry it. */
  incident?: IncidentRef;
}

export const severityRank: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export interface LinkOptions {
  grafanaUrl?: string;
  alertmanagerUrl?: string;
}

function links(options: LinkOptions, container?: { name: string }): Notification['links'] {
  const out: Notification['links'] = [];
  if (options.grafanaUrl) {
    out.push({
      label: 'Grafana',
      url: container
        ? `${options.grafanaUrl}/d/vigil?var-container=${encodeURIComponent(container.name)}`
        : options.grafanaUrl,
    });
  }
  if (options.alertmanagerUrl) out.push({ label: 'Alertmanager', url: `${options.alertmanagerUrl}/#/alerts` });
  return out;
}

/**
 * Pure: the notification an event on the bus calls for, if any: ill-health, crashes, OOM kills,
 * recoveries, giving up, and what came back after a restart.
 */
export function notificationFor(event: VigilEvent, options: LinkOptions = {}): Notification | null {
  const c = event.container;
  const base = {
    ...{ at: event.time, ...(c ? { container: c } : {}), links: links(options, c) },
    ...(event.incident ? { incident: event.incident } : {}),
  };
  const d = event.data;
  switch (event.type) {
    case 'container.health':
      // health inferred from state turns unhealthy on a crash, which is told as a crash
      if (d.to !== 'unhealthy' || d.source !== 'healthcheck' || !c) return null;
      return {
        ...base,
        key: `unhealthy/${c.name}/${event.time.slice(0, 16)}`,
        event: 'unhealthy',
        severity: 'warning',
        title: `${c.name} is unhealthy`,
        text: `Container ${c.name} (${c.id}) turned unhealthy${typeof d.failingStreak === 'number' ? ` after ${plural(d.failingStreak, 'failed check')}` : ''}${typeof d.lastOutput === 'string' && d.lastOutput ? `; last check said: ${d.lastOutput}` : ''}. vigil restarts it if its policy allows.`,
      };
    case 'container.state': {
      const cause = causeOfStateEvent(d);
      if (!c || cause === null || d.from !== 'running') return null;
      if (cause === 'oom-killed') {
        return {
          ...base,
          key: `oom/${c.name}/${event.id}`,
          event: 'oom',
          severity: 'critical',
          title: `${c.name} was OOM-killed`,
          text: `The kernel killed container ${c.name} (${c.id}) for running out of memory (exit code ${String(d.exitCode)}).`,
        };
      }
      // a finished job and a person's stop are not news
      if (cause !== 'crashed') return null;
      const code = String(d.exitCode);
      return {
        ...base,
        key: `crash/${c.name}/${event.id}`,
        event: 'crash',
        severity: 'critical',
        title: `${c.name} crashed (exit code ${code})`,
        text: `Container ${c.name} (${c.id}) exited with code ${code}. vigil brings it back if its policy allows.`,
      };
    }
    case 'alert': {
      const firing = d.status === 'firing';
      const on = c ? ` on ${c.name}` : typeof d.containerRef === 'string' ? ` on ${d.containerRef}` : '';
      return {
        ...base,
        key: `alert/${String(d.fingerprint)}/${String(d.startsAt)}/${String(d.status)}`,
        event: 'alert',
        severity: firing ? (d.severity as Severity) : 'info',
        title: `[${firing ? 'FIRING' : 'RESOLVED'}] ${String(d.alertname)}${on}`,
        text: [
          [d.summary, d.description].filter(Boolean).map(String).join('\n') ||
            `Alert ${String(d.alertname)}${on} is ${String(d.status)}.`,
          ...(firing && vigilNote(d.vigil) ? [`vigil: ${vigilNote(d.vigil)}.`] : []),
        ].join('\n'),
      };
    }
    case 'recovery.action':
      // starts after a restart of the engine or vigil are told once, together, by recovery.boot
      if (d.outcome !== 'success' || !c || d.trigger !== undefined) return null;
      return {
        ...base,
        key: `recovered/${c.name}/${event.id}`,
        event: 'recovered',
        severity: 'info',
        title: `${c.name} recovered (${String(d.action)})`,
        text: `vigil ran ${String(d.action)} on ${c.name} (${c.id}) because: ${String(d.reason)} (attempt ${String(d.attempt)}).`,
      };
    case 'recovery.gave_up':
      if (!c) return null;
      return {
        ...base,
        key: `gave_up/${c.name}/${event.id}`,
        event: 'gave_up',
        severity: 'critical',
        title: `vigil gave up on ${c.name}`,
        text: `After ${plural(Number(d.attempts), 'attempt')} vigil stopped trying to recover ${c.name} (${c.id}): ${String(d.reason)}. It needs a person.`,
      };
    case 'recovery.boot': {
      const recovered = (d.recovered as string[]) ?? [];
      const failed = (d.failed as { name: string; reason: string }[]) ?? [];
      if (typeof d.sentence === 'string') return bootNotice(base, event.id, d);
      if (recovered.length + failed.length === 0) return null;
      const trigger = d.trigger === 'engine-restart' ? 'the Docker engine restarted' : 'vigil started';
      return {
        ...base,
        key: `boot/${event.id}`,
        event: 'boot_recovery',
        severity: failed.length > 0 ? 'critical' : 'warning',
        title: `Recovered ${plural(recovered.length, 'container')} after ${trigger === 'vigil started' ? 'vigil started' : 'an engine restart'}${failed.length ? `; ${failed.length} failed` : ''}`,
        text: [
          `After ${trigger}:`,
          ...recovered.map((n) => `  started ${n}`),
          ...failed.map((f) => `  could not start ${f.name}: ${f.reason}`),
        ].join('\n'),
      };
    }
    case 'recovery.cleanup':
      if (!c) return null;
      return {
        ...base,
        key: `cleanup/${c.name}/${event.id}`,
        event: 'cleanup',
        severity: 'warning',
        title: `${c.name} removed: vigil had given up on it`,
        text: `vigil removed ${c.name} (${c.id}), labelled vigil.cleanup=true, ${String(d.reason)}; it last exited with code ${String(d.exitCode)}. Its last ${plural(Number(d.logLines), 'log line')}, exit code and inspect are kept: GET /api/v1/history/${c.name}.`,
      };
    case 'recovery.dependants':
      return dependantsNotification(base, c, d);
    case 'incident.closed':
      if (!c || d.outcome !== 'recovered') return null;
      return {
        ...base,
        key: `incident/${String(d.id)}/closed`,
        event: 'recovered',
        severity: 'info',
        title: `${c.name} recovered: incident closed after ${Math.round(Number(d.durationSeconds))} s`,
        text: `${c.name} (${c.id}) has been healthy and quiet again; the incident closed after ${plural(Number(d.steps), 'step')} in ${Math.round(Number(d.durationSeconds))} s. GET /api/v1/incidents has its timeline.`,
      };
    case 'resource.spike':
    case 'resource.normal': {
      // told here only when vigil's own detector is the one to tell (VIGIL_SPIKE_NOTIFY)
      if (d.notify !== true || !c) return null;
      const spike = event.type === 'resource.spike';
      return {
        ...base,
        key: `spike/${c.name}/${String(d.resource)}/${String(d.level)}/${event.id}`,
        event: 'spike',
        severity: spike ? (d.level === 'critical' ? 'critical' : 'warning') : 'info',
        title: spike
          ? `${c.name}: ${String(d.resource)} at ${String(d.percent)} % of its limit`
          : `${c.name}: ${String(d.resource)} back to normal (${String(d.percent)} %)`,
        text: spike
          ? `${String(d.resource)} of ${c.name} (${c.id}) has been over ${String(d.level === 'critical' ? d.crit : d.warn)} % of its limit for ${String(d.forSeconds)} s (${String(d.level)}). vigil does nothing about it unless the container is labelled vigil.spike.action=restart.`
          : `${String(d.resource)} of ${c.name} (${c.id}) has been back below its line for ${String(d.forSeconds)} s.`,
      };
    }
    case 'host.spike':
    case 'host.normal': {
      // the host's CPU, memory or notification queue over its line (src/resources/host-watch.ts)
      if (d.notify !== true) return null;
      const spike = event.type === 'host.spike';
      const host = event.host ?? 'the host';
      const queue = d.resource === 'queue';
      const what = queue ? `${String(d.value)} notifications pending` : `${String(d.resource)} at ${String(d.value)} %`;
      const line = String(d.level === 'critical' ? d.crit : d.warn) + (queue ? ' pending' : ' %');
      return {
        ...base,
        key: `host/${String(d.resource)}/${String(d.level)}/${event.id}`,
        event: 'spike',
        severity: spike ? (d.level === 'critical' ? 'critical' : 'warning') : 'info',
        title: spike ? `${host}: ${what}` : `${host}: ${String(d.resource)} back to normal (${what})`,
        text: spike
          ? `${host} has been over ${line} (${String(d.level)}) for ${String(d.forSeconds)} s: ${what}. vigil does nothing about it by itself.`
          : `${host} is back below its line: ${what}.`,
      };
    }
    case 'recovery.cycle':
      if (!c) return null;
      return {
        ...base,
        key: `cycle/${String((d.cycle as string[]).join(','))}`,
        event: 'dependants',
        severity: 'warning',
        title: `Containers depend on each other in a cycle: ${(d.cycle as string[]).join(' → ')}`,
        text: `vigil does not follow dependencies around a cycle; ${c.name} came back and nothing after it was restarted. Break the cycle in their labels (vigil.depends_on, depends_on).`,
      };
    default:
      return null;
  }
}

/**
 * The recovery notice after an engine or host restart (or a vigil start that acted): the sentence of
 * recovery.boot, then what vigil started and what could not be brought back, and why.
 */
function bootNotice(base: Pick<Notification, 'at' | 'links'>, id: number, d: Record<string, unknown>): Notification {
  const summary = d.summary as BootSummary;
  const recovered = (d.recovered as string[]) ?? [];
  const failed = (d.failed as { name: string; reason: string }[]) ?? [];
  const restarted = String(d.restarted);
  return {
    ...base,
    key: `boot/${id}`,
    event: 'boot_recovery',
    severity: failed.length > 0 ? 'critical' : summary.notBack.length > 0 || recovered.length > 0 ? 'warning' : 'info',
    title: `${restarted === 'vigil' ? 'vigil started' : `${restarted === 'host' ? 'Host' : 'Engine'} back`}: ${summary.running} of ${summary.shouldRun} should-run containers running`,
    text: [
      `${String(d.sentence)}.`,
      ...recovered.map((n) => `  started ${n}`),
      ...summary.notBack.map((f) => `  not back: ${f.name}: ${f.reason}`),
    ].join('\n'),
  };
}

/** One message for a whole chain: what came back, and each dependant brought after it (or why not). */
function dependantsNotification(
  base: Pick<Notification, 'at' | 'links'>,
  c: VigilEvent['container'],
  d: Record<string, unknown>,
): Notification | null {
  const steps = (d.steps as { name: string; action: string; outcome: string; reason: string }[]) ?? [];
  if (!c || steps.length === 0) return null;
  const failed = steps.filter((s) => s.outcome === 'failure');
  const done = steps.filter((s) => s.outcome === 'success');
  return {
    ...base,
    container: c,
    key: `dependants/${c.name}/${base.at}`,
    event: 'dependants',
    severity: failed.length > 0 ? 'critical' : 'info',
    title: `${c.name} came back; ${done.length} of ${plural(steps.length, 'dependant')} brought after it`,
    text: [
      `${c.name} (${c.id}) is running again. What depends on it:`,
      ...steps.map(
        (s) => `  ${s.name}: ${s.action === 'none' ? 'left alone' : `${s.action} ${s.outcome}`} (${s.reason})`,
      ),
    ].join('\n'),
  };
}

function vigilNote(decision: unknown): string | null {
  const note = (decision as { note?: unknown } | undefined)?.note;
  return typeof note === 'string' && note.length > 0 ? note : null;
}

/** Pure: whether a channel wants this notification. */
export function wants(channel: { events?: readonly NotifyEvent[]; minSeverity: Severity }, n: Notification): boolean {
  return (
    (!channel.events || channel.events.includes(n.event)) &&
    severityRank[n.severity] >= severityRank[channel.minSeverity]
  );
}

/** Pure: several notifications of one burst as one message. */
export function groupNotifications(batch: readonly Notification[]): Notification {
  if (batch.length === 1) return batch[0]!;
  const worst = batch.reduce((a, b) => (severityRank[b.severity] > severityRank[a.severity] ? b : a));
  const containers = [...new Set(batch.map((n) => n.container?.name).filter(Boolean))];
  const incidents = new Set(batch.map((n) => n.incident?.id));
  const last = batch.at(-1)!;
  return {
    // one incident's burst stays in its thread; a mix of incidents does not belong to any one
    ...(incidents.size === 1 && last.incident ? { incident: last.incident } : {}),
    key: batch.map((n) => n.key).join('+'),
    event: worst.event,
    severity: worst.severity,
    title: `${batch.length} events about ${plural(containers.length, 'container')}: ${containers.slice(0, 5).join(', ')}${containers.length > 5 ? ', …' : ''}`,
    text: batch.map((n) => `• ${n.title}\n  ${n.text.replace(/\n/g, '\n  ')}`).join('\n'),
    links: worst.links,
    at: batch[0]!.at,
  };
}
