import type { CollectorFamily } from '../view.js';

export const blockIoFamily: CollectorFamily = {
  name: 'block-io',
  metrics: () => [
    {
      kind: 'value',
      name: 'docker_container_block_read_bytes_total',
      help: 'Bytes read from block devices by the container, as its cgroup accounts them.',
      type: 'counter',
      sampled: true,
      value: (_e, s) => s!.sample.blockReadBytes,
    },
    {
      kind: 'value',
      name: 'docker_container_block_write_bytes_total',
      help: 'Bytes written to block devices by the container, as its cgroup accounts them.',
      type: 'counter',
      sampled: true,
      value: (_e, s) => s!.sample.blockWriteBytes,
    },
  ],
};
