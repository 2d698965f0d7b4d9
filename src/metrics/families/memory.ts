import type { CollectorFamily } from '../view.js';

export const memoryFamily: CollectorFamily = {
  name: 'memory',
  metrics: () => [
    {
      kind: 'value',
      name: 'docker_container_memory_usage_bytes',
      help: "Memory charged to the container's cgroup, page cache included.",
      type: 'gauge',
      sampled: true,
      value: (_e, s) => s!.sample.memoryUsageBytes,
    },
    {
      kind: 'value',
      name: 'docker_container_memory_working_set_bytes',
      help: "Memory usage less inactive page cache: what the OOM killer looks at (docker stats' MEM USAGE).",
      type: 'gauge',
      sampled: true,
      value: (_e, s) => s!.sample.memoryWorkingSetBytes,
    },
    {
      kind: 'value',
      name: 'docker_container_memory_limit_bytes',
      help: "Memory limit; the host's memory when the container has no limit of its own (as docker stats shows).",
      type: 'gauge',
      value: (e, s, view) => s?.sample.memoryLimitBytes ?? e.record.limits.memoryBytes ?? view.hostMemoryBytes(),
    },
  ],
};
