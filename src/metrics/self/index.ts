import type { Registry } from 'prom-client';
import type { EngineEvents } from '../../docker/events.js';
import type { Inventory } from '../../docker/inventory.js';
import type { Sampler } from '../../sampler.js';
import type { IncidentTracker } from '../../incidents/tracker.js';
import type { NatsPublisher } from '../../streams/nats.js';
import type { Medic } from '../../recovery/medic/medic.js';
import type { Dispatcher } from '../../notify/dispatcher.js';
import type { AlertBridge } from '../../alerts/bridge.js';
import type { StreamLimits } from '../../http/stream-limits.js';
import type { SystemReadings } from '../../containers/system.js';
import { registerAlertMetrics } from './alerts.js';
import { registerEngineMetrics } from './engine.js';
import { registerHostMetrics } from './host.js';
import { registerIncidentMetrics } from './incidents.js';
import { registerNatsMetrics } from './nats.js';
import { registerNotifyMetrics } from './notify.js';
import { registerRecoveryMetrics } from './recovery.js';
import { registerSamplerMetrics } from './sampler.js';
import { registerStreamMetrics } from './streams.js';
import { registerSystemMetrics } from './system.js';

export interface SelfMetricSources {
  /** VIGIL_HOST: which host of a fleet these metrics come from. */
  host: string;
  events: EngineEvents;
  inventory: Inventory;
  sampler: Sampler;
  nats: NatsPublisher | null;
  medic: Medic;
  dispatcher: Dispatcher;
  bridge: AlertBridge;
  streams: StreamLimits;
  incidents: IncidentTracker;
  /** The host's last sweep and the notification queue; absent where a test has neither. */
  system?: SystemReadings;
}

/**
 * vigil's own health: is the engine there, how long sweeps take, how much it sees. One file per
 * subsystem, each importing only its own; they are registered in this order, which is the order of
 * the exposition.
 */
export function registerSelfMetrics(registry: Registry, sources: SelfMetricSources): void {
  if (sources.system) registerSystemMetrics(registry, sources.system);
  registerIncidentMetrics(registry, sources.incidents);
  registerHostMetrics(registry, sources.host);
  registerStreamMetrics(registry, sources.streams);
  registerAlertMetrics(registry, sources.bridge);
  registerNotifyMetrics(registry, sources.dispatcher);
  registerRecoveryMetrics(registry, sources.medic);
  registerEngineMetrics(registry, sources.events, sources.inventory);
  registerSamplerMetrics(registry, sources.sampler);
  if (sources.nats) registerNatsMetrics(registry, sources.nats);
}
