import type { CollectorFamily } from '../view.js';

export const pidsFamily: CollectorFamily = {
  name: 'pids',
  metrics: () => [
    {
      kind: 'value',
      name: 'docker_container_pids',
      help: 'Processes and threads in the container.',
      type: 'gauge',
      sampled: true,
      value: (_e, s) => s!.sample.pids,
    },
  ],
};
