import { Histogram, type Registry } from 'prom-client';
import type { IncidentTracker } from '../../incidents/tracker.js';

/** How long incidents last, observed as each one closes. */
export function registerIncidentMetrics(registry: Registry, incidents: IncidentTracker): void {
  const incidentDuration = new Histogram({
    name: 'vigil_incident_duration_seconds',
    help: 'How long incidents lasted, first sign of trouble to healthy and quiet again, by outcome.',
    labelNames: ['outcome'],
    buckets: [10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600],
    registers: [registry],
  });
  incidents.on('closed', (i) =>
    incidentDuration.observe({ outcome: i.outcome }, (Date.parse(i.closedAt!) - Date.parse(i.openedAt)) / 1000),
  );
}
