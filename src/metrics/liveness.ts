import { Gauge, type Registry } from 'prom-client';
import type { Liveness } from '../liveness.js';

/**
 * vigil_last_sweep_timestamp_seconds and vigil_engine_last_event_timestamp_seconds: a rule
 * (VigilStalled) sees a wedged vigil that still answers scrapes by how far behind time() they fall.
 */
export function registerLivenessMetrics(registry: Registry, liveness: Liveness): void {
  const seconds = (ms: number | null) => (ms ?? liveness.startedAt) / 1000;
  new Gauge({
    name: 'vigil_last_sweep_timestamp_seconds',
    help: "When vigil's last sampling sweep ended (Unix time; its start before the first).",
    registers: [registry],
    collect() {
      this.set(seconds(liveness.lastSweepAt));
    },
  });
  new Gauge({
    name: 'vigil_engine_last_event_timestamp_seconds',
    help: "When the engine's event stream last gave a sign of life: an event, a (re)connection or a ping answered while it is open, every 2 s (Unix time; vigil's start before any).",
    registers: [registry],
    collect() {
      this.set(seconds(liveness.lastEventAt));
    },
  });
}
