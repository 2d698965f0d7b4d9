import { Counter, type Registry } from 'prom-client';
import type { AlertBridge } from '../../alerts/bridge.js';

/** The Alertmanager webhook's requests and what became of the alerts in them. */
export function registerAlertMetrics(registry: Registry, bridge: AlertBridge): void {
  new Counter({
    name: 'vigil_webhook_requests_total',
    help: 'Alertmanager webhook requests by outcome (recorded, duplicate, rejected, deferred: a 503 before vigil had read the engine).',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [outcome, n] of bridge.requests) this.inc({ outcome }, n);
    },
  });
  new Counter({
    name: 'vigil_alerts_received_total',
    help: 'Alerts received by what vigil made of them: action_requested, recorded (no vigil_action), not_actionable, unknown_container, ambiguous_container, no_container, other_host (neither stored nor acted on).',
    labelNames: ['disposition'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [disposition, n] of bridge.dispositions) this.inc({ disposition }, n);
    },
  });
}
