import { Counter, Gauge, type Registry } from 'prom-client';
import type { NatsPublisher } from '../../streams/nats.js';

/** The NATS connection and what was published on it or refused, by subject. */
export function registerNatsMetrics(registry: Registry, nats: NatsPublisher): void {
  new Gauge({
    name: 'vigil_nats_connected',
    help: '1 while vigil is connected to its NATS server.',
    registers: [registry],
    collect() {
      this.set(nats.connected ? 1 : 0);
    },
  });
  for (const [name, help, counts] of [
    ['vigil_nats_published_total', 'Messages handed to the NATS client, by subject.', nats.published],
    [
      'vigil_nats_dropped_total',
      'Messages the NATS client refused (its reconnect buffer was full), by subject.',
      nats.failed,
    ],
  ] as const) {
    new Counter({
      name,
      help,
      labelNames: ['subject'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [subject, n] of counts) this.inc({ subject }, n);
      },
    });
  }
}
