import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { ContainerEngine } from '../docker/engine.js';
import type { EngineEvents } from '../docker/events.js';
import type { Inventory } from '../docker/inventory.js';
import { AlertStore } from '../store/alerts.js';
import type { Db } from '../store/db.js';
import { DesiredStateStore } from '../store/desired-state.js';
import { EventCursorStore } from '../store/event-cursor.js';
import { HistoryStore } from '../store/history.js';
import { IncidentStore } from '../store/incidents.js';
import { RecoveryStateStore } from '../store/recovery-state.js';
import { RemovedContainerStore } from '../store/removed-containers.js';
import type { EventBus } from '../streams/event-bus.js';
import { containerKey, ownContainerId } from './identity.js';
import { IncidentTracker } from '../incidents/tracker.js';
import { Cleaner } from './cleanup.js';
import { DependantFollower } from './dependants/dependant-follower.js';
import { isPersonStop } from './decisions/intent.js';
import { IntentTracker } from './intent/intent-tracker.js';
import { ShutdownWitness } from './intent/shutdown-witness.js';
import { Medic } from './medic/medic.js';
import { PersonActions } from './intent/person-actions.js';
import { medicOptions } from './medic/medic-options.js';
import { StatusRecorder } from '../history/status-recorder.js';

export interface Recovery {
  stores: {
    desired: DesiredStateStore;
    recovery: RecoveryStateStore;
    history: HistoryStore;
    alerts: AlertStore;
    incidents: IncidentStore;
    removed: RemovedContainerStore;
  };
  intent: IntentTracker;
  medic: Medic;
  /** A person's stop, start and restart through the API or the page. */
  personActions: PersonActions;
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
    removed: new RemovedContainerStore(db),
  };
  const cursor = new EventCursorStore(db);
  const saveCursor = cursorSaver(events, cursor, logger);
  // what the engine did while vigil was away is read before anything is decided (issue 21)
  const last = readCursor(cursor, logger);
  // `since` is inclusive: the event at the cursor itself was handled already
  events.resumeFrom(last === null ? FIRST_EVENT : last + 1n);
  const shutdownWindowMs = config.engineShutdownWindowMs;
  const witness = new ShutdownWitness(engine);
  const intentLogger = logger.child({ component: 'intent' });
  const intent = new IntentTracker(events, inventory, stores, witness, intentLogger, shutdownWindowMs);
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
  const personActions = new PersonActions({
    ...{ engine, intent, history: stores.history, bus },
    logger: logger.child({ component: 'actions' }),
    hold: (record, work) => medic.hold(record, work),
  });
  const follower = new DependantFollower({ inventory, bus, logger: logger.child({ component: 'dependants' }) });
  follower.on('chain', (chain) => medic.followDependants(chain));
  const quietMs = config.incidentQuietMs;
  const incidents = new IncidentTracker(bus, inventory, stores.incidents, logger.child({ component: 'incidents' }), {
    quietMs,
    checkMs: Math.min(5000, quietMs / 4),
    personStoppedAt: (record) => {
      const desired = intent.desired(containerKey(record));
      return desired && isPersonStop(desired) ? desired.updatedAt : null;
    },
    settleMs: shutdownWindowMs,
  });
  const cleaner = new Cleaner(
    {
      ...{ engine, inventory, intent, recovery: stores.recovery, history: stores.history, bus },
      removed: stores.removed,
      logger: logger.child({ component: 'cleanup' }),
    },
    config.cleanupAfterMs,
    parts.clock,
  );
  return {
    stores,
    intent,
    medic,
    personActions,
    incidents,
    start() {
      incidents.start();
      intent.start();
      recorder.start();
      medic.start();
      follower.start();
      saveCursor.start();
      cleaner.start();
    },
    async stop() {
      cleaner.stop();
      saveCursor.stop();
      incidents.stop();
      follower.stop();
      recorder.stop();
      await Promise.all([intent.stop(), medic.stop()]);
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

/** On a first start, the engine's events from its oldest (since 0 reads as "no since"). */
const FIRST_EVENT = 1n;
const CURSOR_SAVE_MS = 1_000;

function readCursor(cursor: EventCursorStore, logger: Logger): bigint | null {
  try {
    return cursor.get();
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'last engine event not read; reading the engine events it still has');
    return null;
  }
}

/** Writes the time of the last engine event handled, once a second when it moved and at stop. */
function cursorSaver(events: EngineEvents, cursor: EventCursorStore, logger: Logger) {
  let saved: bigint | null = null;
  let timer: NodeJS.Timeout | null = null;
  const save = () => {
    const latest = events.lastEventTimeNano;
    if (latest === null || latest === saved) return;
    try {
      cursor.put(latest);
      saved = latest;
    } catch (err) {
      logger.debug({ err: (err as Error).message }, 'last engine event not written; the next start reads more');
    }
  };
  return {
    start() {
      saved = events.lastEventTimeNano;
      timer = setInterval(save, CURSOR_SAVE_MS);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      save();
    },
  };
}
