import type { Logger } from 'pino';
import type { ContainerEngine } from '../docker/engine.js';
import type { Inventory } from '../docker/inventory.js';
import { createLogParser, type LogLine } from '../docker/parse/logs.js';
import type { ContainerRecord } from '../docker/types.js';
import type { Desired } from '../store/desired-state.js';
import type { HistoryStore } from '../store/history.js';
import type { RecoveryStateStore } from '../store/recovery-state.js';
import type { RemovedContainerStore } from '../store/removed-containers.js';
import type { EventBus } from '../streams/event-bus.js';
import type { VigilEvent } from '../streams/events.js';
import { containerKey } from './identity.js';
import type { IntentTracker } from './intent/intent-tracker.js';
import { KeyedTimers } from './keyed-timers.js';

/** The label that lets vigil remove a container it gave up on. */
export const CLEANUP_LABEL = 'vigil.cleanup';
/** The log lines kept of a removed container. */
export const CLEANUP_LOG_LINES = 200;

export type CleanupDecision = { kind: 'remove' } | { kind: 'wait'; inMs: number } | { kind: 'never'; reason: string };

/**
 * Pure: whether a container is removed now, later or not at all. Only one labelled vigil.cleanup=true,
 * that vigil gave up on, that no person stopped, that is not running again, and only after the delay.
 */
export function cleanupDecision(
  c: { labels: Record<string, string>; state: string; desired: Desired | undefined; gaveUpAt: number | null },
  now: number,
  afterMs: number,
): CleanupDecision {
  if (c.labels[CLEANUP_LABEL] !== 'true') return { kind: 'never', reason: `not labelled ${CLEANUP_LABEL}=true` };
  if (c.desired === 'stopped') return { kind: 'never', reason: 'a person stopped it' };
  if (c.gaveUpAt === null) return { kind: 'never', reason: 'vigil has not given up on it' };
  if (c.state === 'running') return { kind: 'never', reason: 'it runs again' };
  const due = c.gaveUpAt + afterMs;
  return now >= due ? { kind: 'remove' } : { kind: 'wait', inMs: due - now };
}

export interface CleanerParts {
  engine: Pick<ContainerEngine, 'logs' | 'removeContainer'>;
  inventory: Inventory;
  intent: Pick<IntentTracker, 'desired'>;
  recovery: RecoveryStateStore;
  removed: RemovedContainerStore;
  history: HistoryStore;
  bus: EventBus;
  logger: Logger;
}

/**
 * Removes the containers vigil gave up on and was allowed to clean up, keeping their last log lines,
 * exit code and inspect in the store (shown in their history), and says so on the bus. It looks when
 * vigil gives up (after the delay) and every minute, so that a restart of vigil loses no removal.
 */
export class Cleaner {
  private readonly timers = new KeyedTimers();
  private interval: NodeJS.Timeout | null = null;
  private unsubscribe: () => void = () => undefined;
  private readonly busy = new Set<string>();

  constructor(
    private readonly parts: CleanerParts,
    private readonly afterMs: number,
    private readonly clock: () => number = Date.now,
    private readonly scanMs = 60_000,
  ) {}

  start(): void {
    const onEvent = (event: VigilEvent) => {
      if (event.type === 'recovery.gave_up' && event.container) {
        const id = event.container.id;
        this.timers.set(id, this.afterMs, () => void this.check(id));
      }
    };
    this.parts.bus.on('event', onEvent);
    this.unsubscribe = () => this.parts.bus.off('event', onEvent);
    this.interval = setInterval(() => this.scan(), this.scanMs);
    this.interval.unref();
  }

  stop(): void {
    this.unsubscribe();
    this.timers.clear();
    if (this.interval) clearInterval(this.interval);
    this.interval = null;
  }

  /** Every labelled container, looked at again. */
  scan(): void {
    for (const { record } of this.parts.inventory.all())
      if (record.labels[CLEANUP_LABEL] === 'true') void this.check(record.id);
  }

  /** Looks at one container (a full or short id) and removes it when its time has come. */
  async check(id: string): Promise<void> {
    const entry = this.parts.inventory.all().find((e) => e.record.id === id || e.record.shortId === id);
    if (!entry || this.busy.has(entry.record.id)) return;
    const { record } = entry;
    const key = containerKey(record);
    const decision = cleanupDecision(
      {
        labels: record.labels,
        state: record.state,
        desired: this.parts.intent.desired(key)?.desired,
        gaveUpAt: this.parts.recovery.get(key).gaveUpAt,
      },
      this.clock(),
      this.afterMs,
    );
    if (decision.kind === 'wait') this.timers.set(record.id, decision.inMs, () => void this.check(record.id));
    if (decision.kind !== 'remove') return;
    this.busy.add(record.id);
    try {
      await this.remove(record, key);
    } catch (err) {
      // the next scan tries again; what was kept is kept
      this.parts.logger.warn({ err: (err as Error).message, container: record.name }, 'cleanup failed');
    } finally {
      this.busy.delete(record.id);
    }
  }

  private async remove(record: ContainerRecord, key: string): Promise<void> {
    const logs = await this.lastLines(record);
    const removedAt = this.clock();
    const exitCode = record.exitCode ?? null;
    this.parts.removed.add({
      key,
      containerId: record.id,
      name: record.name,
      removedAt,
      exitCode,
      logs,
      inspect: JSON.parse(JSON.stringify(record)) as Record<string, unknown>,
    });
    await this.parts.engine.removeContainer(record.id);
    const afterSeconds = Math.round(this.afterMs / 1000);
    const data = {
      action: 'cleanup' as const,
      reason: `vigil gave up on it ${afterSeconds} s before`,
      exitCode,
      logLines: logs.length,
    };
    try {
      this.parts.history.add({ key, containerId: record.id, name: record.name, at: removedAt, kind: 'action', data });
    } catch (err) {
      this.parts.logger.warn({ err: (err as Error).message, container: record.name }, 'cleanup not written to history');
    }
    this.parts.bus.publish({ type: 'recovery.cleanup', container: { id: record.shortId, name: record.name }, data });
    this.parts.logger.info(
      { container: record.name, exitCode, logLines: logs.length },
      'removed a container vigil gave up on',
    );
  }

  private async lastLines(record: ContainerRecord): Promise<LogLine[]> {
    const stream = await this.parts.engine.logs(
      record.id,
      { follow: false, tail: CLEANUP_LOG_LINES },
      AbortSignal.timeout(10_000),
    );
    const parser = createLogParser(record.tty);
    const lines: LogLine[] = [];
    for await (const chunk of stream) lines.push(...parser.push(chunk as Buffer));
    lines.push(...parser.end());
    return lines
      .slice(-CLEANUP_LOG_LINES)
      .map(({ timestamp, stream: s, message }) => ({ timestamp, stream: s, message }));
  }
}
