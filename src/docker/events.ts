import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { backoffDelay, type BackoffPolicy } from '../backoff.js';
import type { ContainerEngine } from './engine.js';
import { parseEngineEventLine } from './parse/events.js';
import type { ContainerEvent } from './types.js';

export interface EngineEventsOptions {
  reconnect: BackoffPolicy;
  /** While connected, the engine is pinged this often: a hung engine keeps the stream open but silent. */
  watchdogIntervalMs: number;
}

interface EngineEventsEvents {
  event: [ContainerEvent];
  /** The stream is open; a listener resynchronises whatever it keeps, as events may have been missed. */
  connected: [];
  disconnected: [Error | null];
}

/**
 * The engine's container event stream, kept open for as long as vigil runs: it reconnects with
 * backoff when the engine goes away and resumes with `since`, so that a short break loses nothing.
 */
export class EngineEvents extends EventEmitter<EngineEventsEvents> {
  private lastTimeNano: bigint | null = null;
  /** Events at exactly lastTimeNano already delivered: `since` is inclusive and would repeat them. */
  private deliveredAtLast = new Set<string>();
  private abort: AbortController | null = null;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private isConnected = false;

  constructor(
    private readonly engine: ContainerEngine,
    private readonly logger: Logger,
    private readonly options: EngineEventsOptions = { reconnect: { initialMs: 250, maxMs: 10_000 }, watchdogIntervalMs: 5_000 },
  ) {
    super();
  }

  get connected(): boolean {
    return this.isConnected;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      let failure: Error | null = null;
      this.abort = new AbortController();
      try {
        const stream = await this.engine.events(this.lastTimeNano, this.abort.signal);
        this.isConnected = true;
        attempt = 0;
        this.logger.info({ since: this.lastTimeNano?.toString() ?? null }, 'engine event stream connected');
        this.emit('connected');
        const watchdog = this.watch(this.abort);
        try {
          for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) this.handleLine(line);
        } finally {
          clearInterval(watchdog);
          stream.destroy();
        }
      } catch (err) {
        failure = err as Error;
      }
      if (this.isConnected) {
        this.isConnected = false;
        this.emit('disconnected', failure);
      }
      if (this.stopped) break;
      const delay = backoffDelay(attempt++, this.options.reconnect);
      this.logger.warn({ err: failure?.message, retryInMs: delay }, 'engine event stream lost; reconnecting');
      await sleep(delay);
    }
  }

  private watch(abort: AbortController): NodeJS.Timeout {
    const timer = setInterval(() => {
      this.engine.ping().catch((err: Error) => {
        this.logger.warn({ err: err.message }, 'engine did not answer a ping; dropping the event stream');
        abort.abort();
      });
    }, this.options.watchdogIntervalMs);
    timer.unref();
    return timer;
  }

  private handleLine(line: string): void {
    if (line.trim() === '') return;
    let event: ContainerEvent | null;
    try {
      event = parseEngineEventLine(line);
    } catch {
      this.logger.warn({ line: line.slice(0, 200) }, 'engine sent an event line that is not JSON; ignored');
      return;
    }
    if (!event) return;
    const key = `${event.id}/${event.action}/${event.healthStatus ?? ''}`;
    if (this.lastTimeNano !== null) {
      if (event.timeNano < this.lastTimeNano) return;
      if (event.timeNano === this.lastTimeNano && this.deliveredAtLast.has(key)) return;
    }
    if (event.timeNano !== this.lastTimeNano) {
      this.lastTimeNano = event.timeNano;
      this.deliveredAtLast = new Set();
    }
    this.deliveredAtLast.add(key);
    this.emit('event', event);
  }
}
