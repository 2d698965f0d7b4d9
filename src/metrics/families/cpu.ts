import type { CollectorFamily } from '../view.js';

export const cpuFamily: CollectorFamily = {
  name: 'cpu',
  metrics: () => [
    {
      kind: 'value',
      name: 'docker_container_cpu_usage_seconds_total',
      help: "CPU time consumed by the container's current run, user and system, in seconds.",
      type: 'counter',
      sampled: true,
      value: (_e, s) => s!.sample.cpuSeconds,
    },
    {
      kind: 'value',
      name: 'docker_container_cpu_limit_cores',
      help: 'CPU limit in cores (--cpus or CFS quota/period); absent when unlimited.',
      type: 'gauge',
      inventoryOnly: true,
      value: (e) => e.record.limits.cpuCores,
    },
  ],
};
