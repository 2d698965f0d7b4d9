import { probeChecks } from '../../probes/checks.js';
import type { CollectorFamily } from '../view.js';

/**
 * Each check a running container has, side by side: the engine's HEALTHCHECK (source="healthcheck") and
 * vigil's label-declared probes (source="probe"). docker_container_health_status is the one that decides.
 */
export const probesFamily: CollectorFamily = {
  name: 'probes',
  metrics: () => [
    {
      kind: 'statesets',
      name: 'docker_container_check_status',
      help: 'Each health check of a running container, 1 for its current status: source="healthcheck" for the image\'s HEALTHCHECK, source="probe" for vigil.probe.* labels (the HEALTHCHECK decides when it has both).',
      by: 'source',
      label: 'status',
      values: ['healthy', 'unhealthy', 'starting'],
      current: (e) => probeChecks(e).map((c) => [c.source, c.status] as const),
    },
    {
      kind: 'value',
      name: 'docker_container_probe_failing_streak',
      help: 'Consecutive failed runs of the vigil.probe.exec probe of a running container.',
      type: 'gauge',
      inventoryOnly: true,
      value: (e) => (e.record.state === 'running' ? (e.probe?.exec?.failingStreak ?? null) : null),
    },
  ],
};
