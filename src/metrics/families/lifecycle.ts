import { containerStates } from '../../docker/types.js';
import type { CollectorFamily } from '../view.js';

/** State, start time, restarts, exit code and OOM kills: what happened to the container, not what it uses. */
export const lifecycleFamily: CollectorFamily = {
  name: 'lifecycle',
  metrics: () => [
    {
      kind: 'stateset',
      name: 'docker_container_state',
      help: 'Container state; 1 for the current state, 0 for the others.',
      label: 'state',
      values: containerStates,
      current: (e) => e.record.state,
    },
    {
      kind: 'value',
      name: 'docker_container_start_time_seconds',
      help: 'When the container last started, in seconds since the epoch.',
      type: 'gauge',
      inventoryOnly: true,
      value: (e) => (e.record.startedAt ? e.record.startedAt.getTime() / 1000 : null),
    },
    {
      kind: 'value',
      name: 'docker_container_restarts_total',
      help: 'Times the container started again after having run (restart policy, docker restart, start after stop).',
      type: 'counter',
      inventoryOnly: true,
      value: (e) => e.restarts,
    },
    {
      kind: 'value',
      name: 'docker_container_exit_code',
      help: "Exit code of the container's last run (0 while running a first time).",
      type: 'gauge',
      inventoryOnly: true,
      value: (e) => e.record.exitCode,
    },
    {
      kind: 'value',
      name: 'docker_container_oom_kills_total',
      help: 'Times the kernel OOM-killed a process of the container.',
      type: 'counter',
      value: (e) => e.oomKills,
    },
  ],
};
