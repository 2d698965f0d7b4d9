import type { CollectorFamily } from '../view.js';
import { blockIoFamily } from './block-io.js';
import { cpuFamily } from './cpu.js';
import { healthFamily } from './health.js';
import { infoFamily } from './info.js';
import { lifecycleFamily } from './lifecycle.js';
import { memoryFamily } from './memory.js';
import { networkFamily } from './network.js';
import { pidsFamily } from './pids.js';
import { probesFamily } from './probes.js';

/** Every per-container metric family, in the order /metrics lists them. */
export const containerFamilies: readonly CollectorFamily[] = [
  infoFamily,
  lifecycleFamily,
  healthFamily,
  probesFamily,
  cpuFamily,
  memoryFamily,
  networkFamily,
  blockIoFamily,
  pidsFamily,
];
