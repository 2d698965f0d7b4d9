import type { HealthFacts } from '../containers/health.js';
import { isCurrent, type ProbeStatus } from './state.js';

export interface CheckStatus {
  source: 'healthcheck' | 'probe';
  status: ProbeStatus;
}

/** Pure: the checks a running container has and what each says now: its HEALTHCHECK, its probes, both or none. */
export function probeChecks({ record, probe }: Pick<HealthFacts, 'record' | 'probe'>): CheckStatus[] {
  if (record.state !== 'running') return [];
  const checks: CheckStatus[] = [];
  if (record.health) checks.push({ source: 'healthcheck', status: record.health.status });
  if (probe && (probe.exec || probe.log))
    checks.push({ source: 'probe', status: isCurrent(probe, record.startedAt) ? probe.status : 'starting' });
  return checks;
}
