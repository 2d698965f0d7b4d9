import { Counter, Gauge, type Registry } from 'prom-client';
import type { Dispatcher } from '../../notify/dispatcher.js';
import { perCollection } from './per-collection.js';

/** Notifications by outcome, and each channel's queue, errors and latency. */
export function registerNotifyMetrics(registry: Registry, dispatcher: Dispatcher): void {
  const notifications = new Counter({
    name: 'vigil_notifications_total',
    help: 'Notifications by channel and outcome (sent, failed attempt, expired, deduplicated).',
    labelNames: ['channel', 'outcome'],
    registers: [registry],
  });
  dispatcher.on('outcome', (channel, outcome, n) => notifications.inc({ channel, outcome }, n));
  // one read of the outbox's depth for the four gauges below
  const health = perCollection(() => dispatcher.health());
  const perChannel = (
    name: string,
    help: string,
    value: (h: ReturnType<Dispatcher['health']>[number]) => number | null,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['channel'],
      registers: [registry],
      collect() {
        this.reset();
        for (const h of health()) {
          const v = value(h);
          if (v !== null) this.set({ channel: h.name }, v);
        }
      },
    });
  perChannel('vigil_outbox_depth', 'Notifications waiting in the outbox, per channel.', (h) => h.pending);
  perChannel(
    'vigil_channel_error_rate',
    'Share of the last 20 delivery attempts that failed, per channel.',
    (h) => h.errorRate,
  );
  perChannel('vigil_channel_latency_seconds', 'Time the last successful delivery took, per channel.', (h) =>
    h.latencyMs === null ? null : h.latencyMs / 1000,
  );
  perChannel('vigil_channel_last_success_timestamp_seconds', 'When the channel last accepted a message.', (h) =>
    h.lastSuccessAt ? Date.parse(h.lastSuccessAt) / 1000 : null,
  );
}
