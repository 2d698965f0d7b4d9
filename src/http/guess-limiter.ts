import type { Middleware } from 'koa';
import { HttpError } from './errors.js';

/**
 * Wrong credentials per client address in a sliding window. Past `max` of them, every credentialed
 * request from that address is refused until the oldest failure leaves the window: a right token
 * refused too, or a 200 among the 429s would tell a guesser which guess was right.
 */
export class GuessLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly options: { max: number; windowMs: number; maxClients: number },
    private readonly clock: () => number = Date.now,
  ) {}

  /** How long the client must wait before its next attempt counts, in ms; 0 when it may try now. */
  retryAfterMs(client: string): number {
    const times = this.recent(client);
    if (times.length < this.options.max) return 0;
    return times[times.length - this.options.max]! + this.options.windowMs - this.clock();
  }

  failed(client: string): void {
    const times = this.recent(client);
    times.push(this.clock());
    // held per address: the oldest address goes first when too many guess at once
    this.failures.delete(client);
    this.failures.set(client, times.slice(-this.options.max));
    if (this.failures.size > this.options.maxClients) this.failures.delete(this.failures.keys().next().value!);
  }

  get size(): number {
    return this.failures.size;
  }

  private recent(client: string): number[] {
    const since = this.clock() - this.options.windowMs;
    const times = (this.failures.get(client) ?? []).filter((t) => t > since);
    if (times.length === 0) this.failures.delete(client);
    return times;
  }
}

/** What vigil allows: 20 wrong tokens a minute per address, across at most 10,000 addresses. */
export const newGuessLimiter = (): GuessLimiter => new GuessLimiter({ max: 20, windowMs: 60_000, maxClients: 10_000 });

/**
 * Counts the API's 401s to requests that carried a credential (a bearer header, or a sign-in), and
 * answers 429 with Retry-After to an address past the limit. A request with no credential is no guess.
 */
export function limitGuesses(limiter: GuessLimiter, prefix = '/api/'): Middleware {
  return async (ctx, next) => {
    const guess =
      ctx.path.startsWith(prefix) &&
      (ctx.get('authorization') !== '' || (ctx.method === 'POST' && ctx.path === `${prefix}v1/session`));
    if (!guess) return next();
    const waitMs = limiter.retryAfterMs(ctx.ip);
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      ctx.set('Retry-After', String(seconds));
      throw new HttpError(429, `too many wrong tokens from this address; try again in ${seconds} s`);
    }
    try {
      await next();
    } catch (err) {
      if ((err as { status?: number }).status === 401) limiter.failed(ctx.ip);
      throw err;
    }
  };
}
