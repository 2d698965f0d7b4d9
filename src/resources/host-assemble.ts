import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { SystemReadings } from '../containers/system.js';
import type { Sampler } from '../sampler.js';
import type { AlertStore } from '../store/alerts.js';
import type { OutboxStore } from '../store/outbox.js';
import type { EventBus } from '../streams/event-bus.js';
import { HostUsage } from './host-usage.js';
import { HostWatch } from './host-watch.js';
import { thresholdsFor } from './spikes.js';

/**
 * The host's reading and watch, fed by the sampler's sweeps: the host's /proc is read when a sweep
 * ends, then CPU, memory and the notification queue are checked against their lines.
 */
export function watchHost(
  config: Config,
  parts: { sampler: Sampler; bus: EventBus; alerts: AlertStore; outbox: OutboxStore; host: string; logger: Logger },
): { readings: SystemReadings; start(): void; stop(): void } {
  const usage = new HostUsage(config.procRoot);
  // the same lines, sustain and hysteresis as a container without labels of its own
  const { cpu, memory } = thresholdsFor(
    {},
    {
      cpu: { warn: config.spikeCpuWarn, crit: config.spikeCpuCrit },
      memory: { warn: config.spikeMemoryWarn, crit: config.spikeMemoryCrit },
      forSeconds: config.spikeForMs / 1000,
    },
    config.sampleIntervalMs / 1000,
  );
  const queue = {
    warn: config.queueWarn,
    crit: Math.max(config.queueWarn, config.queueCritical),
    forSweeps: 1,
    hysteresis: 0,
  };
  const notify = config.spikeNotify === 'always' || (config.spikeNotify === 'auto' && !config.alertmanagerUrl);
  const watch = new HostWatch(
    { bus: parts.bus, alerts: parts.alerts, host: parts.host, logger: parts.logger },
    { thresholds: { cpu, memory, queue }, intervalSeconds: config.sampleIntervalMs / 1000, notify },
  );
  const readings: SystemReadings = {
    host: () => usage.latest(),
    notifications: () => {
      try {
        return parts.outbox.queueDepth(Date.now());
      } catch {
        // the store cannot be read (readiness says why): nothing is known to wait
        return { pending: 0, oldestPendingSeconds: 0 };
      }
    },
  };
  let reading = false;
  const onSweep = (): void => {
    if (reading) return;
    reading = true;
    void usage
      .read()
      .then((r) => {
        const memoryPercent = ((r.memoryTotalBytes - r.memoryAvailableBytes) / r.memoryTotalBytes) * 100;
        watch.observe({
          cpu: r.cpuUtilisation === null ? null : r.cpuUtilisation * 100,
          memory: memoryPercent,
          queue: readings.notifications().pending,
        });
      })
      .catch((err: Error) => parts.logger.warn({ err: err.message }, 'host reading failed'))
      .finally(() => (reading = false));
  };
  return {
    readings,
    start: () => parts.sampler.on('sweep', onSweep),
    stop: () => parts.sampler.off('sweep', onSweep),
  };
}
