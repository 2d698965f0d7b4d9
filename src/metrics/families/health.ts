import { containerHealth } from '../../containers/health.js';
import { healthStatuses } from '../../docker/types.js';
import type { CollectorFamily } from '../view.js';

/** The container's health as the JSON API and the page give it; the failing streak from its own HEALTHCHECK. */
export const healthFamily: CollectorFamily = {
  name: 'health',
  metrics: () => [
    {
      kind: 'stateset',
      name: 'docker_container_health_status',
      help: 'Health, 1 for the current one: the HEALTHCHECK of a running container, else healthy; unhealthy after a crash or OOM kill; "none" when stopped, finished or created.',
      label: 'status',
      values: healthStatuses,
      current: (e) => containerHealth(e),
    },
    {
      kind: 'value',
      name: 'docker_container_health_failing_streak',
      help: 'Consecutive failed HEALTHCHECK probes.',
      type: 'gauge',
      inventoryOnly: true,
      value: (e) => e.record.health?.failingStreak ?? null,
    },
  ],
};
