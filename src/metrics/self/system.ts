import { Gauge, type Registry } from 'prom-client';
import type { SystemReadings } from '../../containers/system.js';

/** The host's CPU and memory as vigil reads them from /proc, and the notification queue: the shipped rules use them. */
export function registerSystemMetrics(registry: Registry, system: SystemReadings): void {
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
    () => system.host().cpuUtilisation,
  );
  gauge('vigil_host_memory_total_bytes', "The host's memory (MemTotal).", () => system.host().memoryTotalBytes);
  gauge(
    'vigil_host_memory_available_bytes',
    "The host's memory available to programs without swapping (MemAvailable).",
    () => system.host().memoryAvailableBytes,
  );
  gauge(
    'vigil_notifications_pending',
    'Notifications waiting in the outbox, all channels together.',
    () => system.notifications().pending,
  );
  gauge(
    'vigil_notifications_oldest_pending_seconds',
    'How long the oldest notification in the outbox has waited (0 when none waits).',
    () => system.notifications().oldestPendingSeconds,
  );
}
