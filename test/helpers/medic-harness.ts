import type { Clock } from '@sinonjs/fake-timers';
import { pino } from 'pino';
import { EngineEvents } from '../../src/docker/events.js';
import { Inventory } from '../../src/docker/inventory.js';
import { ShutdownWitness } from '../../src/recovery/intent/shutdown-witness.js';
import { IntentTracker } from '../../src/recovery/intent/intent-tracker.js';
import { Medic } from '../../src/recovery/medic/medic.js';
import type { MedicOptions } from '../../src/recovery/medic/medic-options.js';
import { StatusRecorder } from '../../src/history/status-recorder.js';
import { AlertStore } from '../../src/store/alerts.js';
import { openStore, type Db } from '../../src/store/db.js';
import { DesiredStateStore } from '../../src/store/desired-state.js';
import { HistoryStore } from '../../src/store/history.js';
import { RecoveryStateStore } from '../../src/store/recovery-state.js';
import { EventBus } from '../../src/streams/event-bus.js';
import { isEvent, type EventOfType, type VigilEvent, type VigilEventType } from '../../src/streams/events.js';
import { installFakeClock } from './fake-clock.js';
import { FakeEngine } from './fake-engine.js';
import { makeTempDir, removeDir } from './temp-dir.js';

export const medicDefaults: MedicOptions = {
  schedule: { baseMs: 1000, maxMs: 60_000, resetAfterMs: 600_000, maxAttempts: 4 },
  autoheal: 'labelled',
  reconcileOnBoot: 'all',
  concurrency: 4,
  bootGraceMs: 2000,
  engineShutdownWindowMs: 10_000,
  reportQuietMs: 3_600_000,
  selfId: null,
};

export interface MedicHarness {
  clock: Clock;
  engine: FakeEngine;
  inventory: Inventory;
  intent: IntentTracker;
  medic: Medic;
  stores: { desired: DesiredStateStore; recovery: RecoveryStateStore; history: HistoryStore; alerts: AlertStore };
  db: Db;
  /** Every event the medic and the rest published, in order. */
  published: VigilEvent[];
  ofType<T extends VigilEventType>(type: T, name?: string): EventOfType<T>[];
  /** Advances the fake clock, running every timer and promise due on the way. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The medic with its real collaborators (event stream reader, inventory, intent tracker, SQLite store)
 * on a fake engine and a fake clock: minutes of backoff pass in milliseconds.
 */
export async function medicHarness(options: Partial<MedicOptions> = {}): Promise<MedicHarness> {
  const clock = installFakeClock();
  // HARNESS_LOG=info shows what the medic said, when a test of it needs explaining
  const logger = pino({ level: process.env.HARNESS_LOG ?? 'silent' });
  const engine = new FakeEngine();
  const events = new EngineEvents(engine, logger, {
    reconnect: { initialMs: 250, maxMs: 1000 },
    watchdogIntervalMs: 2000,
  });
  const inventory = new Inventory(engine, events, logger);
  const dir = makeTempDir('medic-unit');
  const db = openStore(dir);
  const stores = {
    desired: new DesiredStateStore(db),
    recovery: new RecoveryStateStore(db),
    history: new HistoryStore(db),
    alerts: new AlertStore(db),
  };
  const witness = new ShutdownWitness(engine);
  const intent = new IntentTracker(events, inventory, stores, witness, logger, medicDefaults.engineShutdownWindowMs);
  const recorder = new StatusRecorder(inventory, stores.history, logger);
  const bus = new EventBus(10_000);
  const published: VigilEvent[] = [];
  bus.on('event', (e) => published.push(e));
  const medic = new Medic(engine, events, inventory, intent, stores, bus, logger, { ...medicDefaults, ...options });
  intent.start();
  recorder.start();
  medic.start();
  events.start();
  const advance = (ms: number) => clock.tickAsync(ms).then(() => undefined);
  await advance(0);
  return {
    clock,
    engine,
    inventory,
    intent,
    medic,
    stores,
    db,
    published,
    ofType: (type, name) =>
      published.filter(isEvent(type)).filter((e) => name === undefined || e.container?.name === name),
    advance,
    async close() {
      recorder.stop();
      const stopping = Promise.all([intent.stop(), medic.stop(), events.stop()]);
      await clock.runAllAsync().catch(() => undefined);
      await stopping;
      clock.uninstall();
      db.close();
      removeDir(dir);
    },
  };
}
