import type { CollectorFamily } from '../view.js';

/** Summed over the container's interfaces except loopback. */
export const networkFamily: CollectorFamily = {
  name: 'network',
  metrics: () => [
    {
      kind: 'value',
      name: 'docker_container_network_receive_bytes_total',
      help: "Bytes received on the container's interfaces (loopback excluded).",
      type: 'counter',
      sampled: true,
      value: (_e, s) => s!.sample.networkRxBytes,
    },
    {
      kind: 'value',
      name: 'docker_container_network_transmit_bytes_total',
      help: "Bytes sent on the container's interfaces (loopback excluded).",
      type: 'counter',
      sampled: true,
      value: (_e, s) => s!.sample.networkTxBytes,
    },
  ],
};
