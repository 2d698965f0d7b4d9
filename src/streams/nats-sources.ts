import { lookUpContainer, type ContainersSource } from '../containers/source.js';
import { containerDetail, containerStats, containerSummary, healthSummary } from '../containers/view.js';
import { problemBody } from '../problem.js';
import { fleetEntry } from '../containers/system.js';
import type { Inventory } from '../docker/inventory.js';
import type { Sampler } from '../sampler.js';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { EventBus } from './event-bus.js';
import { NatsPublisher, type NatsSources } from './nats.js';

/** What the NATS publisher reads: the JSON API's shapes, built from the same views. */
export function natsSources(
  containers: ContainersSource,
  sampler: Sampler,
  alertCounts: () => Record<string, number>,
  inventory: Pick<Inventory, 'on'>,
): NatsSources {
  return {
    summaryOf(shortId: string) {
      const entry = containers.containers().find((e) => e.record.shortId === shortId);
      return entry && containerSummary(entry, containers.snapshot(entry), containers.context());
    },
    healthAll() {
      const context = containers.context();
      return healthSummary(
        containers.containers().map((e) => containerSummary(e, containers.snapshot(e), context)),
        context,
      );
    },
    detail(ref: string): { status: number; body: unknown } {
      const found = lookUpContainer(ref, containers);
      if (!found.ok) return { status: found.problem.status, body: problemBody(found.problem) };
      return {
        status: 200,
        body: containerDetail(found.entry, containers.snapshot(found.entry), containers.context()),
      };
    },
    allStats() {
      const context = containers.context();
      return containers
        .containers()
        .filter((e) => containers.snapshot(e))
        .map((e) => containerStats(e, containers.snapshot(e), context));
    },
    fleetEntry: () => fleetEntry(containers, alertCounts()),
    onSweep(listener: () => void) {
      sampler.on('sweep', listener);
    },
    onStateChange(listener: (shortId: string) => void) {
      inventory.on('added', (entry) => listener(entry.record.shortId));
      inventory.on('changed', (entry, before) => entry.record.state !== before.state && listener(entry.record.shortId));
    },
  };
}

/** The publisher when VIGIL_NATS_URL is set, reading what the JSON API reads. */
export function natsPublisherFor(
  config: Config,
  host: string,
  parts: {
    containers: ContainersSource;
    inventory: Pick<Inventory, 'on'>;
    sampler: Sampler;
    alertCounts: () => Record<string, number>;
    bus: EventBus;
  },
  logger: Logger,
): NatsPublisher | null {
  if (!config.natsUrl) return null;
  return new NatsPublisher(
    host,
    config.natsUrl,
    natsSources(parts.containers, parts.sampler, parts.alertCounts, parts.inventory),
    parts.bus,
    logger.child({ component: 'nats' }),
    config.natsIntervalMs,
  );
}
