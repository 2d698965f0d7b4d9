import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { ContainerEngine } from '../engine.js';
import { ApiStatsSource } from './api.js';
import { CgroupStatsSource } from './cgroup.js';
import type { StatsSource } from './source.js';

/** The stats sources to try, in order, for VIGIL_STATS_SOURCE. */
export function statsSources(
  config: Config,
  engine: ContainerEngine,
  hostMemoryBytes: () => number,
  logger: Logger,
): StatsSource[] {
  const api = new ApiStatsSource(engine, hostMemoryBytes, {
    intervalMs: config.sampleIntervalMs,
    minInFlight: config.apiStatsConcurrency,
  });
  // the cgroup tree and /proc here are this machine's: they say nothing of an engine reached over TCP
  const engineHere = config.dockerHost.startsWith('unix://');
  const cgroupVisible = engineHere && CgroupStatsSource.available(config.cgroupRoot, config.procRoot);
  switch (config.statsSource) {
    case 'api':
      return [api];
    case 'cgroup':
      if (!cgroupVisible)
        logger.warn(
          { cgroupRoot: config.cgroupRoot, procRoot: config.procRoot },
          'VIGIL_STATS_SOURCE=cgroup but no cgroup tree is visible there; no resources will be read',
        );
      return [new CgroupStatsSource(config.cgroupRoot, config.procRoot)];
    case 'auto':
      if (!cgroupVisible) {
        const why = engineHere ? 'no host cgroup tree visible' : 'the engine is not on this machine';
        logger.info(`${why}; reading resources through the engine's stats API`);
        return [api];
      }
      return [new CgroupStatsSource(config.cgroupRoot, config.procRoot), api];
  }
}
