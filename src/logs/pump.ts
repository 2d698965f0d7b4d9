import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { ContainerEngine } from '../docker/engine.js';
import { createLogParser, type LogLine } from '../docker/parse/logs.js';
import { endReason } from './end-reason.js';
import { batchOf, Follower, type LogEnd, type LogSubscriber } from './follower.js';

export type { LogBatch, LogEnd, LogSubscriber } from './follower.js';

export interface FollowOptions {
  /** Lines from before the follower joined: a count, or 'all'; 0 for none. */
  tail: number | 'all';
  /** Unix seconds: the tail starts no earlier. */
  sinceSeconds?: number;
}

/** One follower's hold on a container's log. */
export interface LogFollow {
  /** Resolves once the engine has answered (the live stream and the tail are open); rejects with its error. */
  readonly ready: Promise<void>;
  /** The subscriber's transport has room again (an SSE drain; for a WebSocket, its buffer emptied). */
  resume(): void;
  /** The follower leaves; the engine's stream closes when the last one has. */
  close(): void;
  /** Bytes held for this follower inside the pump. */
  readonly buffered: number;
}

export interface LogPumpOptions {
  /** How far a follower may fall behind, in bytes held for it, before it is cut as too slow. */
  maxBehindBytes: number;
}

interface LiveStream {
  id: string;
  followers: Set<Follower>;
  abort: AbortController;
  /** Settles when the engine has answered the follow request. */
  opened: Promise<void>;
  closed: boolean;
}

/**
 * Reads each followed container's log from the engine once and fans it out: one follow stream per
 * container however many follow it, its frames parsed once, every line handed to each follower's
 * bounded buffer (follower.ts). A new follower's tail comes from a request of its own and joins the
 * live lines without a gap or a line twice. One engine stream per follower made 50 followers of a
 * busy container fall 20 s behind in 30 s, none told.
 */
export class LogPump {
  private readonly live = new Map<string, LiveStream>();

  constructor(
    private readonly engine: ContainerEngine,
    private readonly logger: Logger,
    private readonly options: LogPumpOptions,
  ) {}

  /** Engine log streams open now, or for one container. */
  streams(id?: string): number {
    if (id !== undefined) return this.live.has(id) ? 1 : 0;
    return this.live.size;
  }

  /** Followers of one container now. */
  followers(id: string): number {
    return this.live.get(id)?.followers.size ?? 0;
  }

  follow(container: { id: string; tty: boolean }, options: FollowOptions, subscriber: LogSubscriber): LogFollow {
    const wantsTail = options.tail !== 0;
    const follower = new Follower(this.told(container.id, subscriber), this.options.maxBehindBytes, wantsTail);
    const stream = this.streamFor(container);
    stream.followers.add(follower);
    const tailAbort = new AbortController();
    let resumeTail: (() => void) | null = null;
    const ready = (async () => {
      await stream.opened;
      if (!wantsTail || follower.done) return;
      const source = await this.engine.logs(container.id, { ...options, follow: false }, tailAbort.signal);
      this.readTail(source, container.tty, follower, (resume) => (resumeTail = resume));
    })();
    // the caller learns of a failure from `ready`; the follower is gone with it
    ready.catch(() => this.leave(stream, follower, tailAbort));
    return {
      ready,
      resume: () => {
        follower.resume();
        const resume = resumeTail;
        resumeTail = null;
        resume?.();
      },
      close: () => this.leave(stream, follower, tailAbort),
      get buffered() {
        return follower.buffered;
      },
    };
  }

  /** The subscriber, with a cut said in vigil's log too (the client may not read its last event). */
  private told(id: string, subscriber: LogSubscriber): LogSubscriber {
    return {
      deliver: (batch) => subscriber.deliver(batch),
      end: (end) => {
        if (end.reason.startsWith('too slow'))
          this.logger.info({ container: id.slice(0, 12), reason: end.reason }, 'a log follower was cut');
        subscriber.end(end);
      },
    };
  }

  private streamFor(container: { id: string; tty: boolean }): LiveStream {
    const existing = this.live.get(container.id);
    if (existing && !existing.closed) return existing;
    const stream: LiveStream = {
      id: container.id,
      followers: new Set(),
      abort: new AbortController(),
      opened: Promise.resolve(),
      closed: false,
    };
    stream.opened = this.engine
      .logs(container.id, { follow: true, tail: 0 }, stream.abort.signal)
      .then((source) => this.pump(stream, source, container.tty));
    stream.opened.catch(() => this.close(stream));
    this.live.set(container.id, stream);
    return stream;
  }

  private pump(stream: LiveStream, source: Readable, tty: boolean): void {
    if (stream.closed) {
      source.destroy();
      return;
    }
    stream.abort.signal.addEventListener('abort', () => source.destroy(), { once: true });
    const parser = createLogParser(tty);
    const fan = (lines: LogLine[]): void => {
      if (lines.length === 0) return;
      const batch = batchOf(lines);
      for (const follower of stream.followers) {
        if (!follower.push(batch)) stream.followers.delete(follower);
      }
      if (stream.followers.size === 0) this.close(stream);
    };
    // the engine sends each line in a chunk of its own: the chunks read in one turn of the event loop
    // go out together, one write per follower instead of one per line (at 1,000 lines a second and 50
    // followers, 50,000 writes a second kept followers seconds behind)
    let pending: LogLine[] = [];
    let scheduled = false;
    const flush = (): void => {
      scheduled = false;
      const lines = pending;
      pending = [];
      if (!stream.abort.signal.aborted) fan(lines);
    };
    source.on('data', (chunk: Buffer) => {
      const lines = parser.push(chunk);
      if (lines.length === 0) return;
      pending = pending.length === 0 ? lines : pending.concat(lines);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
    source.on('error', (err: Error) => {
      if (!stream.abort.signal.aborted)
        this.logger.warn({ container: stream.id.slice(0, 12), err: err.message }, 'log stream from the engine failed');
    });
    source.on('close', () => {
      if (stream.abort.signal.aborted) return;
      fan([...pending, ...parser.end()]);
      pending = [];
      this.close(stream);
      void endReason(this.engine, stream.id, true).then((end: LogEnd) => {
        for (const follower of stream.followers) follower.end(end);
        stream.followers.clear();
      });
    });
  }

  /**
   * A follower's tail, delivered as its transport takes it; the last lines are kept (as many bytes as
   * the follower may hold live) to find where the live lines it held start anew.
   */
  private readTail(source: Readable, tty: boolean, follower: Follower, onPause: (resume: () => void) => void): void {
    const parser = createLogParser(tty);
    let recent: LogLine[] = [];
    let recentBytes = 0;
    const keep = (lines: LogLine[]): void => {
      for (const line of lines) {
        recent.push(line);
        recentBytes += line.message.length + 48;
      }
      if (recentBytes > 2 * this.options.maxBehindBytes) {
        let drop = 0;
        while (recentBytes > this.options.maxBehindBytes && drop < recent.length) {
          recentBytes -= recent[drop]!.message.length + 48;
          drop++;
        }
        recent = recent.slice(drop);
      }
    };
    const give = (lines: LogLine[]): void => {
      if (lines.length === 0) return;
      keep(lines);
      follower.deliverTail(batchOf(lines));
    };
    source.on('data', (chunk: Buffer) => {
      if (follower.done) return void source.destroy();
      give(parser.push(chunk));
      if (!follower.ready) {
        source.pause();
        onPause(() => source.resume());
      }
    });
    let failed: Error | null = null;
    source.on('error', (err: Error) => (failed = err));
    source.on('close', () => {
      if (follower.done) return;
      if (failed) return follower.cut(`the engine failed while giving the tail: ${failed.message}`);
      give(parser.end());
      follower.joined(recent);
    });
  }

  private leave(stream: LiveStream, follower: Follower, tailAbort: AbortController): void {
    follower.leave();
    tailAbort.abort();
    stream.followers.delete(follower);
    if (stream.followers.size === 0) this.close(stream);
  }

  private close(stream: LiveStream): void {
    if (stream.closed) return;
    stream.closed = true;
    if (this.live.get(stream.id) === stream) this.live.delete(stream.id);
    if (stream.followers.size === 0) stream.abort.abort();
  }
}
