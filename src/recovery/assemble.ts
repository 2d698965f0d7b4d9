import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { ContainerEngine } from '../docker/engine.js';
import type { EngineEvents } from '../docker/events.js';
import type { Inventory } from '../docker/inventory.js';
import { AlertStore } from '../store/alerts.js';
import type { Db } from '../store/db.js';
import { DesiredStateStore } from '../store/desired-state.js';
import { HistoryStore } from '../store/history.js';
import { IncidentStore } from '../store/incidents.js';
import { RecoveryStateStore } from '../store/recovery-state.js';
import type { EventBus } from '../streams/event-bus.js';
import { ownContainerId } from './identity.js';
import { IncidentTracker } from '../incidents/tracker.js';
import { DependantFollower } from './dependant-follower.js';
import { IntentTracker } from './intent-tracker.js';
import { Medic } from './medic.js';
import { medicOptions } from './medic-options.js';
import { StatusRecorder } from './status-recorder.js';

export interface Recovery {
  stores: {
    desired: DesiredStateStore;
    recovery: RecoveryStateStore;
    history: HistoryStore;
    alerts: AlertStore;
    incidents: IncidentStore;
  };
  intent: IntentTracker;
  medic: Medic;
  incidents: IncidentTracker;
  start(): void;
  stop(): Promise<void>;
}

export interface RecoveryParts {
  engine: ContainerEngine;
  events: EngineEvents;
  inventory: Inventory;
  db: Db;
  bus: EventBus;
  /** What the medic's decisions read the time from; Date.now without one. */
  clock?: () => number;
  /** vigil's own container; read from /proc/self when not given. */
  selfId?: string | null;
}

/** Desired state, history and the medic, on the store; started and stopped together. */
export function assembleRecovery(config: Config, parts: RecoveryParts, logger: Logger): Recovery {
  const { engine, events, inventory, db, bus } = parts;
  const stores = {
    desired: new DesiredStateStore(db),
    recovery: new RecoveryStateStore(db),
    history: new HistoryStore(db),
    alerts: new AlertStore(db),
    incidents: new IncidentStore(db),
  };
  const shutdownWindowMs = config.engineShutdownWindowSeconds * 1000;
  const intent = new IntentTracker(events, inventory, stores, logger.child({ component: 'intent' }), shutdownWindowMs);
  const recorder = new StatusRecorder(inventory, stores.history, logger.child({ component: 'history' }));
  const options = medicOptions(config, parts.selfId !== undefined ? parts.selfId : readOwnContainerId());
  const medic = new Medic(
    engine,
    events,
    inventory,
    intent,
    stores,
    bus,
    logger.child({ component: 'medic' }),
    options,
    parts.clock,
  );
  const followerParts = { inventory, intent, medic, recovery: stores.recovery, bus };
  const follower = new DependantFollower(
    { ...followerParts, logger: logger.child({ component: 'dependants' }) },
    options,
  );
  const quietMs = config.incidentQuietSeconds * 1000;
  const incidents = new IncidentTracker(bus, inventory, stores.incidents, logger.child({ component: 'incidents' }), {
    quietMs,
    checkMs: Math.min(5000, quietMs / 4),
  });
  return {
    stores,
    intent,
    medic,
    incidents,
    start() {
      incidents.start();
      intent.start();
      recorder.start();
      medic.start();
      follower.start();
    },
    async stop() {
      incidents.stop();
      follower.stop();
      intent.stop();
      recorder.stop();
      await medic.stop();
    },
  };
}

/** vigil never acts on its own container; outside a container there is none. */
function readOwnContainerId(): string | null {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  };
  return ownContainerId(read('/proc/self/cgroup'), read('/proc/self/mountinfo'));
}
