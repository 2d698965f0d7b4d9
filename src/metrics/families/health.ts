import { healthStatuses } from '../../docker/types.js';
import type { CollectorFamily } from '../view.js';

/** The container's own HEALTHCHECK, as the engine reports it; `none` when it has none. */
export const healthFamily: CollectorFamily = {
  name: 'health',
  metrics: () => [
    {
      kind: 'stateset',
      name: 'docker_container_health_status',
      help: 'HEALTHCHECK status; 1 for the current one. "none" when the container has no HEALTHCHECK.',
      label: 'status',
      values: healthStatuses,
      current: (e) => e.record.health?.status ?? 'none',
    },
    {
      kind: 'value',
      name: 'docker_container_health_failing_streak',
      help: 'Consecutive failed HEALTHCHECK probes.',
      type: 'gauge',
      value: (e) => e.record.health?.failingStreak ?? null,
    },
  ],
};
