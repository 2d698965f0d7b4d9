import type { ContainerRecord, ResourceSample } from '../types.js';

export type StatsSourceName = 'cgroup' | 'api';

/** Reads the resources of running containers. A container it cannot read is left out of the answer. */
export interface StatsSource {
  readonly name: StatsSourceName;
  sample(containers: readonly ContainerRecord[]): Promise<Map<string, ResourceSample>>;
}
