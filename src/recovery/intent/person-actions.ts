import type { Logger } from 'pino';
import type { ContainerEngine } from '../../docker/engine.js';
import type { ContainerRecord } from '../../docker/types.js';
import type { HistoryStore } from '../../store/history.js';
import type { EventBus } from '../../streams/event-bus.js';
import type { ActionOutcome } from '../medic/actor.js';
import { containerKey } from '../identity.js';
import type { IntentTracker, PersonSource } from './intent-tracker.js';

export type PersonAction = 'stop' | 'start' | 'restart';

export interface PersonActionResult {
  id: string;
  name: string;
  action: PersonAction;
  by: PersonSource;
  desired: 'running' | 'stopped';
}

export interface PersonActionParts {
  engine: ContainerEngine;
  intent: IntentTracker;
  history: HistoryStore;
  bus: EventBus;
  logger: Logger;
  /** Runs the work holding the container, so that no action of the medic's interleaves with it. */
  hold(record: ContainerRecord, work: () => Promise<void>): Promise<void>;
}

const down = new Set(['exited', 'dead', 'created']);

/** The engine's 304: the container is already as asked. */
const alreadyDone = (err: unknown): void => {
  if ((err as { statusCode?: number }).statusCode !== 304) throw err;
};

/**
 * What a person asks of a container through vigil (the API or the page): their wish is recorded first,
 * with who asked, then the engine is told. A stop is a person's stop even when the container is already
 * exited (waiting in its backoff), which `docker stop` cannot say: the engine sends no event for it.
 */
export class PersonActions {
  constructor(private readonly parts: PersonActionParts) {}

  async act(record: ContainerRecord, action: PersonAction, by: PersonSource): Promise<PersonActionResult> {
    const { engine, intent } = this.parts;
    const desired = action === 'stop' ? 'stopped' : 'running';
    await this.parts.hold(record, async () => {
      intent.personWish(record, desired, by);
      try {
        if (action === 'stop') {
          if (!down.has(record.state)) await engine.stop(record.id);
        } else if (action === 'start') {
          await engine.start(record.id).catch(alreadyDone);
        } else {
          // its kill and start are asked for, not a person's stop
          intent.markOwnStart(record.id);
          await engine.restart(record.id);
        }
        this.note(record, action, by, 'success');
      } catch (err) {
        this.note(record, action, by, 'failure', (err as Error).message);
        throw err;
      }
    });
    return { id: record.shortId, name: record.name, action, by, desired };
  }

  private note(
    record: ContainerRecord,
    action: PersonAction,
    by: PersonSource,
    outcome: ActionOutcome,
    error?: string,
  ) {
    const data = { action, reason: `asked by a person (${by})`, by, outcome, ...(error ? { error } : {}) };
    const container = { id: record.shortId, name: record.name };
    this.parts.bus.publish({ type: 'recovery.action', container, data: { ...data, counted: false } });
    this.parts.logger.info({ container: record.name, action, by, outcome }, 'container action asked by a person');
    try {
      const key = containerKey(record);
      this.parts.history.add({ key, containerId: record.id, name: record.name, at: Date.now(), kind: 'action', data });
    } catch (err) {
      this.parts.logger.warn({ err: (err as Error).message, container: record.name }, 'action history not written');
    }
  }
}
