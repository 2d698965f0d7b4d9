import { HttpError } from './errors.js';

export interface StreamLimitOptions {
  /** Streams open at once, in total. */
  max: number;
  /** Streams open at once from one client address. */
  perClient: number;
  /** Bytes buffered for all streams together, at most. */
  memoryBytes: number;
}

/** A stream the limits can measure and cut. */
export interface LimitedStream {
  /** Bytes waiting for this client inside vigil. */
  buffered(): number;
  /** Ends the stream with a final event saying why, and lets go of what it holds. */
  cut(reason: string): void;
}

/** When a refused client may try again. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Open streams (SSE now, WebSocket later) are bounded in number per client and in total, and what
 * they hold in memory is bounded for all of them together: past the ceiling, the stream holding the
 * most (the slowest reader) is cut. A bound per stream alone let 200 idle clients hold gigabytes.
 */
export class StreamLimits {
  private readonly byClient = new Map<string, number>();
  private readonly open = new Set<LimitedStream>();

  constructor(private readonly options: StreamLimitOptions) {}

  /** The most one stream may hold: a share of the ceiling, so that one stream alone cannot fill it. */
  get perStreamBytes(): number {
    return Math.max(64 * 1024, Math.floor(this.options.memoryBytes / 4));
  }

  get count(): number {
    return this.open.size;
  }

  /** Whether a new stream would be refused whoever asks (VIGIL_STREAMS_MAX reached). */
  get full(): boolean {
    return this.open.size >= this.options.max;
  }

  /** Admits a new stream from `client`, or throws the 429 that says which limit it met. */
  admit(client: string): { register(stream: LimitedStream): void; release(): void } {
    const mine = this.byClient.get(client) ?? 0;
    if (mine >= this.options.perClient) {
      throw new HttpError(
        429,
        `this client already has ${mine} open streams, the most one client may have (VIGIL_STREAMS_PER_CLIENT)`,
        {},
        'info',
      );
    }
    if (this.open.size >= this.options.max) {
      throw new HttpError(
        429,
        `vigil already serves ${this.open.size} open streams, the most it serves at once (VIGIL_STREAMS_MAX)`,
        {},
        'info',
      );
    }
    this.byClient.set(client, mine + 1);
    let stream: LimitedStream | null = null;
    let released = false;
    return {
      register: (s) => {
        stream = s;
        this.open.add(s);
      },
      release: () => {
        if (released) return;
        released = true;
        if (stream) this.open.delete(stream);
        const n = (this.byClient.get(client) ?? 1) - 1;
        if (n <= 0) this.byClient.delete(client);
        else this.byClient.set(client, n);
      },
    };
  }

  /** Total bytes buffered for every open stream. */
  buffered(): number {
    let total = 0;
    for (const s of this.open) total += s.buffered();
    return total;
  }

  /** Cuts the streams holding the most until the total is under the ceiling again. */
  enforce(): void {
    let total = this.buffered();
    while (total > this.options.memoryBytes && this.open.size > 0) {
      let largest: LimitedStream | null = null;
      let size = -1;
      for (const s of this.open) {
        const b = s.buffered();
        if (b > size) {
          size = b;
          largest = s;
        }
      }
      if (!largest || size <= 0) return;
      this.open.delete(largest);
      largest.cut(
        `too slow: vigil's memory for streams (VIGIL_STREAMS_MEMORY_MB) is full and this stream held the most`,
      );
      total -= size;
    }
  }
}

export const retryAfterSeconds = RETRY_AFTER_SECONDS;
