import { Gauge, type Registry } from 'prom-client';
import type { SystemReadings } from '../../containers/system.js';
import { perCollection } from './per-collection.js';

/** The host's CPU and memory as vigil reads them from /proc, and the notification queue: the shipped rules use them. */
export function registerSystemMetrics(registry: Registry, system: SystemReadings): void {
  // the outbox's depth is a SQLite read: once for both of its gauges
  const host = perCollection(() => system.host());
  const notifications = perCollection(() => system.notifications());
  const gauge = (name: string, help: string, value: () => number | null) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        const v = value();
        if (v !== null) this.set(v);
      },
    });
  gauge(
    'vigil_host_cpu_utilisation_ratio',
    "Busy share of all the host's cores over the last sweep (from /proc/stat, as top computes it), 0 to 1.",
    () => host().cpuUtilisation,
  );
  gauge('vigil_host_memory_total_bytes', "The host's memory (MemTotal).", () => host().memoryTotalBytes);
  gauge(
    'vigil_host_memory_available_bytes',
    "The host's memory available to programs without swapping (MemAvailable).",
    () => host().memoryAvailableBytes,
  );
  gauge(
    'vigil_notifications_pending',
    'Notifications waiting in the outbox, all channels together.',
    () => notifications().pending,
  );
  gauge(
    'vigil_notifications_oldest_pending_seconds',
    'How long the oldest notification in the outbox has waited (0 when none waits).',
    () => notifications().oldestPendingSeconds,
  );
}
