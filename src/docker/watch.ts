import { totalmem } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { redactUrl } from '../logger.js';
import { DockerodeEngine, type ContainerEngine } from './engine.js';
import { EngineEvents } from './events.js';
import { Inventory } from './inventory.js';

/**
 * The engine, its event stream and the inventory kept from it; the host's memory as the engine reports it.
 * The engine is dockerode on the configured DOCKER_HOST unless one is given (a test's fake).
 */
export function watchEngine(
  config: Config,
  logger: Logger,
  engine: ContainerEngine = new DockerodeEngine(config.dockerHost),
) {
  const events = new EngineEvents(engine, logger.child({ component: 'events' }), {
    reconnect: { initialMs: 250, maxMs: 10_000 },
    watchdogIntervalMs: 2_000,
    unreachableHint: `is an engine running at ${redactUrl(config.dockerHost)}? Start one, set DOCKER_HOST, or run "npm run demo" for a private engine with sample containers`,
  });
  const inventory = new Inventory(engine, events, logger.child({ component: 'inventory' }), config.inspectConcurrency);
  let hostMemoryBytes = totalmem();
  let engineVersion: string | null = null;
  events.on('connected', () => {
    engine.info().then(
      (info) => {
        hostMemoryBytes = info.memTotalBytes;
        engineVersion = info.serverVersion;
        const { serverVersion, cgroupVersion, cgroupDriver } = info;
        logger.info({ engine: serverVersion, cgroupVersion, cgroupDriver }, 'engine info');
      },
      (err: Error) => logger.warn({ err: err.message }, 'engine info failed'),
    );
  });
  return {
    engine,
    events,
    inventory,
    hostMemoryBytes: () => hostMemoryBytes,
    engineVersion: () => engineVersion,
    /** For readiness: null when the engine answers and the inventory is whole. */
    problem: (): string | null =>
      !events.connected
        ? `the engine is unreachable at ${redactUrl(config.dockerHost)}`
        : !inventory.synced
          ? 'the engine answers; the inventory is still synchronising'
          : null,
  };
}
