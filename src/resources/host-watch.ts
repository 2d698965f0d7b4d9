import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { AlertStore } from '../store/alerts.js';
import type { EventBus } from '../streams/event-bus.js';
import { NORMAL, nextSpikeState, type SpikeLevel, type SpikeState, type SpikeThresholds } from './spikes.js';

/** What vigil watches on its host besides containers: CPU and memory (percent), the notification queue (messages). */
export type HostResource = 'cpu' | 'memory' | 'queue';

export interface HostValues {
  /** Busy share of all cores, percent; null when not known this sweep. */
  cpu: number | null;
  /** Memory in use (total less MemAvailable), percent of the total. */
  memory: number | null;
  /** Notifications pending in the outbox. */
  queue: number | null;
}

const alertnames: Record<HostResource, string> = {
  cpu: 'VigilHostCpu',
  memory: 'VigilHostMemory',
  queue: 'VigilNotificationQueue',
};

const describe = (resource: HostResource, value: number) =>
  resource === 'queue' ? `${value} notifications pending` : `${resource} at ${value} %`;

/**
 * The host's CPU and memory against the same lines as containers' (80 % warning, 90 % critical by
 * default, sustained), and the notification queue against VIGIL_QUEUE_WARN and VIGIL_QUEUE_CRITICAL,
 * evaluated on every sweep with the spike detector's pure state machine (src/resources/spikes.ts).
 * A level reported becomes a `host.spike` or `host.normal` event (SSE, NATS, the channels when
 * `notify`) and a vigil-native alert in /api/v1/alerts, about no container.
 */
export class HostWatch {
  private readonly state: Record<HostResource, SpikeState> = { cpu: NORMAL, memory: NORMAL, queue: NORMAL };
  private readonly since: Partial<Record<HostResource, string>> = {};

  constructor(
    private readonly parts: { bus: EventBus; alerts: AlertStore; host: string; logger: Logger },
    private readonly options: {
      thresholds: Record<HostResource, SpikeThresholds>;
      intervalSeconds: number;
      notify: boolean;
    },
  ) {}

  /** One sweep's values; what changed level is reported. */
  observe(values: HostValues, now = new Date()): void {
    for (const resource of ['cpu', 'memory', 'queue'] as const) {
      const before = this.state[resource];
      const after = nextSpikeState(before, values[resource], this.options.thresholds[resource]);
      this.state[resource] = after;
      if (after.level !== before.level) this.report(resource, before.level, after.level, values[resource]!, now);
    }
  }

  private report(resource: HostResource, from: SpikeLevel, to: SpikeLevel, value: number, now: Date): void {
    const limits = this.options.thresholds[resource];
    const rounded = Math.round(value * 10) / 10;
    const forSeconds = limits.forSweeps * this.options.intervalSeconds;
    const data = {
      resource,
      level: to,
      previous: from,
      value: rounded,
      warn: limits.warn,
      crit: limits.crit,
      forSeconds,
    };
    this.parts.bus.publish({
      type: to === 'normal' ? 'host.normal' : 'host.spike',
      data: { ...data, notify: this.options.notify },
    });
    const startsAt = (this.since[resource] ??= now.toISOString());
    if (to === 'normal') delete this.since[resource];
    const alertname = alertnames[resource];
    const severity = to === 'normal' ? from : to;
    const line = to === 'critical' ? limits.crit : limits.warn;
    const summary = `${describe(resource, rounded)} on ${this.parts.host} (${to === 'normal' ? 'back below its line' : `over ${line}${resource === 'queue' ? '' : ' %'}`})`;
    try {
      this.parts.alerts.recordAll(
        [
          {
            fingerprint: createHash('sha256').update(`vigil/host/${resource}`).digest('hex').slice(0, 16),
            startsAt,
            status: to === 'normal' ? 'resolved' : 'firing',
            alertname,
            severity,
            labels: { alertname, host: this.parts.host, severity, source: 'vigil' },
            annotations: { summary },
            endsAt: to === 'normal' ? now.toISOString() : null,
            generatorUrl: null,
            containerName: null,
          },
        ],
        now.getTime(),
      );
    } catch (err) {
      this.parts.logger.warn({ err: (err as Error).message, resource }, 'host alert not recorded');
    }
    this.parts.logger.info(data, to === 'normal' ? 'host back to normal' : 'host over its line');
  }
}
