import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import { backoffDelay, type BackoffPolicy } from '../backoff.js';
import type { ContainerEngine } from './engine.js';
import { advanceResumePoint, parseEngineEventLine, startOfStream, type ResumePoint } from './parse/events.js';
import type { ContainerEvent } from './types.js';

export interface EngineEventsOptions {
  reconnect: BackoffPolicy;
  /** While connected, the engine is pinged this often: a hung engine keeps the stream open but silent. */
  watchdogIntervalMs: number;
  /** What to tell a person when no engine has answered since vigil started. */
  unreachableHint?: string;
}

interface EngineEventsEvents {
  event: [ContainerEvent];
  /** The stream is open; a listener resynchronises whatever it keeps, as events may have been missed. */
  connected: [];
  disconnected: [Error | null];
  /** The engine answered a ping while the stream is open: the stream is live, though it may be quiet. */
  alive: [];
}

/**
 * The engine's container event stream, kept open for as long as vigil runs: it reconnects with
 * backoff when the engine goes away and resumes with `since`, so that a short break loses nothing.
 */
export class EngineEvents extends EventEmitter<EngineEventsEvents> {
  private resumePoint: ResumePoint = startOfStream;
  private abort: AbortController | null = null;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private isConnected = false;
  private everConnected = false;

  constructor(
    private readonly engine: ContainerEngine,
    private readonly logger: Logger,
    private readonly options: EngineEventsOptions = {
      reconnect: { initialMs: 250, maxMs: 10_000 },
      watchdogIntervalMs: 2_000,
    },
  ) {
    super();
  }

  get connected(): boolean {
    return this.isConnected;
  }

  /**
   * Where the first connection starts: the last event vigil handled before it stopped, or (1 ns, the
   * engine's oldest) on a first start, so that what the engine did while vigil was away is read
   * before anything is decided. Only before start().
   */
  resumeFrom(timeNano: bigint): void {
    if (this.loop) throw new Error('resumeFrom() must come before start()');
    this.resumePoint = { timeNano, keysAtTime: new Set() };
  }

  /** The newest event time delivered (or resumed from), null before any. */
  get lastEventTimeNano(): bigint | null {
    return this.resumePoint.timeNano;
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
        const stream = await this.engine.events(this.resumePoint.timeNano, this.abort.signal);
        this.isConnected = true;
        this.everConnected = true;
        attempt = 0;
        this.logger.info({ since: this.resumePoint.timeNano?.toString() ?? null }, 'engine event stream connected');
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
      const delay = backoffDelay(attempt, this.options.reconnect);
      this.logUnreachable(attempt++, failure, delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /**
   * Said once when the engine goes (with what to do, when it never answered at all), then quietly at
   * each retry, and again every 60 tries (about 10 minutes): a log of identical warnings helps no one.
   */
  private logUnreachable(attempt: number, failure: Error | null, retryInMs: number): void {
    const err = failure?.message;
    if (attempt > 0 && attempt % 60 !== 0) {
      this.logger.debug({ err, retryInMs }, 'engine still unreachable; retrying');
    } else if (!this.everConnected) {
      this.logger.warn(
        { err, retryInMs, hint: this.options.unreachableHint },
        'no Docker engine answers; vigil keeps trying',
      );
    } else {
      const msg = attempt === 0 ? 'engine event stream lost; reconnecting' : 'engine still unreachable; retrying';
      this.logger.warn({ err, retryInMs, attempts: attempt }, msg);
    }
  }

  private watch(abort: AbortController): NodeJS.Timeout {
    const timer = setInterval(() => {
      this.engine.ping().then(
        () => void (this.isConnected && this.emit('alive')),
        (err: Error) => {
          this.logger.warn({ err: err.message }, 'engine did not answer a ping; dropping the event stream');
          abort.abort();
        },
      );
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
    const { point, replay } = advanceResumePoint(this.resumePoint, event);
    this.resumePoint = point;
    if (replay) return;
    try {
      this.emit('event', event);
    } catch (err) {
      // a listener's failure is its own: it must not cut the stream every other listener reads
      this.logger.error({ err: (err as Error).message, action: event.action }, 'an engine event listener failed');
    }
  }
}
