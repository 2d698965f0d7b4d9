import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { IntentTracker } from './recovery/intent/intent-tracker.js';
import type { Medic } from './recovery/medic/medic.js';
import type { AlertStore } from './store/alerts.js';
import type { DesiredStateStore } from './store/desired-state.js';
import type { HistoryStore } from './store/history.js';
import type { ChatThreadStore } from './store/chat-threads.js';
import type { IncidentStore } from './store/incidents.js';
import type { OutboxStore } from './store/outbox.js';

export interface MaintenanceStores {
  history: HistoryStore;
  outbox: OutboxStore;
  desired: DesiredStateStore;
  alerts: AlertStore;
  incidents: IncidentStore;
  threads: ChatThreadStore;
  /** What was kept of containers vigil removed (cleanup.ts). */
  removed?: { prune(before: number): number };
}

export interface MaintenanceOptions {
  cron: string;
  retentionMs: number;
  /** A firing alert not heard of for this long (and past its endsAt) is closed as expired. */
  alertExpiryMs: number;
}

/**
 * Scheduled maintenance: the medic's safety-net sweep over every container, desired state the store
 * refused earlier, and pruning (history, sent mail, rows of containers long gone, old alerts).
 */
export function runMaintenance(
  medic: Medic,
  intent: IntentTracker,
  stores: MaintenanceStores,
  options: MaintenanceOptions,
  logger: Logger,
  now = Date.now(),
): void {
  medic.sweep();
  if (!intent.flush())
    logger.warn({ unsaved: intent.unsavedCount }, 'the store still refuses desired state; kept in memory');
  try {
    const before = now - options.retentionMs;
    const expired = stores.alerts.expire(now - options.alertExpiryMs, now);
    const pruned =
      stores.history.prune(before) +
      stores.outbox.prune(before) +
      stores.desired.prune(before) +
      stores.alerts.prune(before) +
      stores.incidents.prune(before) +
      stores.threads.prune(before) +
      (stores.removed?.prune(before) ?? 0);
    if (expired > 0) logger.info({ expired }, 'closed firing alerts that Alertmanager stopped sending as expired');
    if (pruned > 0)
      logger.info({ pruned }, 'pruned old history, messages, alerts, incidents and rows of containers long gone');
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'pruning failed; the next run tries again');
  }
}

export function maintenanceOptions(config: Config): MaintenanceOptions {
  return {
    cron: config.sweepCron,
    retentionMs: config.historyDays * 86_400_000,
    alertExpiryMs: config.alertExpiryMs,
  };
}

export function scheduleMaintenance(
  medic: Medic,
  intent: IntentTracker,
  stores: MaintenanceStores,
  options: MaintenanceOptions,
  logger: Logger,
): Cron {
  const log = logger.child({ component: 'maintenance' });
  // croner, not node-cron: node-cron matches every tick through Intl.DateTimeFormat, which maps ICU's
  // date tables (5.6 MB resident, measured in vigil); croner uses Intl only for a time zone, and vigil
  // schedules in local time. A run that throws is logged, and the schedule goes on.
  return new Cron(
    options.cron,
    { catch: (err) => log.error({ err }, 'a maintenance run failed; the next one tries again') },
    () => runMaintenance(medic, intent, stores, options, log),
  );
}
