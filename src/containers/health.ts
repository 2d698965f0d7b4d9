import type { ContainerRecord, HealthStatus } from '../docker/types.js';

/**
 * The container's own HEALTHCHECK when it has one; otherwise inferred from its state: running is
 * healthy, a crash (non-zero exit, OOM kill, dead, restarting) is unhealthy, and a container that
 * finished cleanly, was never started or is paused has no health to speak of.
 */
export function effectiveHealth(record: ContainerRecord): HealthStatus {
  if (record.health && record.state === 'running') return record.health.status;
  switch (record.state) {
    case 'running':
      return 'healthy';
    case 'restarting':
    case 'dead':
      return 'unhealthy';
    case 'exited':
      return record.oomKilled || (record.exitCode ?? 0) !== 0 ? 'unhealthy' : 'none';
    default:
      return 'none';
  }
}
