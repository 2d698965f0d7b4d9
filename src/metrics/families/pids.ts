import { perContainer } from '../per-container.js';
import type { CollectorFamily } from '../view.js';

export const pidsFamily: CollectorFamily = {
  name: 'pids',
  register(registry, view) {
    perContainer(registry, view, {
      name: 'docker_container_pids',
      help: 'Processes and threads in the container.',
      type: 'gauge',
      sampled: true,
      value: (_e, s) => s!.sample.pids,
    });
  },
};
