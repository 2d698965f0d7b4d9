import { Counter, Gauge, type Registry } from 'prom-client';
import type { EngineEvents } from '../../docker/events.js';
import type { Inventory } from '../../docker/inventory.js';

/** Whether the engine is there, what it has told vigil and how much vigil sees of it. */
export function registerEngineMetrics(registry: Registry, events: EngineEvents, inventory: Inventory): void {
  new Gauge({
    name: 'vigil_engine_up',
    help: "1 while the engine's event stream is connected and the inventory is in sync with it.",
    registers: [registry],
    collect() {
      this.set(events.connected && inventory.synced ? 1 : 0);
    },
  });
  new Gauge({
    name: 'vigil_containers_seen',
    help: "Containers in vigil's inventory, in any state.",
    registers: [registry],
    collect() {
      this.set(inventory.size);
    },
  });
  const eventsSeen = new Counter({
    name: 'vigil_engine_events_total',
    help: 'Container events received from the engine, by action.',
    labelNames: ['action'],
    registers: [registry],
  });
  events.on('event', (e) => eventsSeen.inc({ action: e.action }));

  const reconnects = new Counter({
    name: 'vigil_engine_reconnects_total',
    help: "Times the engine's event stream was lost.",
    registers: [registry],
  });
  events.on('disconnected', () => reconnects.inc());
}
