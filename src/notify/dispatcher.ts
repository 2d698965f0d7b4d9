import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { backoffDelay } from '../backoff.js';
import type { ChannelConfig } from './channel-config.js';
import type { OutboxRow, OutboxStore } from '../store/outbox.js';
import { groupNotifications, wants, type Notification } from './message.js';
import type { Notifier } from './notifier.js';
import {
  healthOf,
  newChannelState,
  readyRows,
  recordAttempt,
  redactChannelError,
  type ChannelHealth,
  type ChannelState,
} from './channel-state.js';

export { readyRows, type ChannelHealth };

export interface DispatcherOptions {
  retryBaseMs: number;
  retryMaxMs: number;
  expiryMs: number;
  dedupeMs: number;
  /** After a message, others for the same channel wait this long and go out together. */
  groupMs: number;
  tickMs: number;
}

/** Messages held in memory while the store refuses writes, at most. */
const MAX_UNSAVED = 10_000;

export type DeliveryOutcome = 'sent' | 'failed' | 'expired' | 'deduplicated';

/**
 * Sends what the outbox holds: per channel, one delivery at a time, within its rate limit; failures are
 * retried with backoff until delivered or expired. Everything it sends was written to the store first,
 * so what was pending when vigil died goes out when it starts again.
 */
export class Dispatcher extends EventEmitter<{ outcome: [string, DeliveryOutcome, number] }> {
  private readonly channels = new Map<string, ChannelState>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly unsaved: { channel: string; n: Notification; at: number }[] = [];
  /** When the outbox next has something due, as of the last round: a tick before it has nothing to read
   * (an idle vigil queried the store four times a second, a tenth of its CPU at 200 containers). */
  private nextDueAt: number | null = 0;

  constructor(
    private readonly outbox: OutboxStore,
    notifiers: readonly { notifier: Notifier; config: ChannelConfig }[],
    private readonly logger: Logger,
    private readonly options: DispatcherOptions,
    private readonly clock: () => number = Date.now,
  ) {
    super();
    for (const { notifier, config } of notifiers) this.channels.set(config.name, newChannelState(notifier, config));
  }

  /**
   * Writes the notification to the outbox of every channel that wants it. When the store refuses the
   * write (read-only, full), the message waits in memory and is written at a later tick: none is lost.
   */
  enqueue(n: Notification): void {
    const now = this.clock();
    for (const [name, channel] of this.channels) {
      if (!wants(channel.config, n)) continue;
      this.write(name, n, now);
    }
    this.kick();
  }

  /** Messages the store has not taken yet. */
  get unsavedCount(): number {
    return this.unsaved.length;
  }

  private write(channel: string, n: Notification, at: number): boolean {
    try {
      const added = this.outbox.add(channel, n.key, JSON.stringify(n), at, this.options.dedupeMs);
      if (!added) this.emit('outcome', channel, 'deduplicated', 1);
      return true;
    } catch (err) {
      if (this.unsaved.length >= MAX_UNSAVED) {
        this.logger.error(
          { channel, key: n.key },
          'notification dropped: the store refuses writes and the in-memory queue is full',
        );
      } else {
        this.unsaved.push({ channel, n, at });
        this.logger.error(
          { channel, key: n.key, err: (err as Error).message },
          'the outbox cannot be written; the notification waits in memory',
        );
      }
      return false;
    }
  }

  private flushUnsaved(): void {
    while (this.unsaved.length > 0) {
      const { channel, n, at } = this.unsaved[0]!;
      this.unsaved.shift();
      if (!this.write(channel, n, at)) {
        // write() queued it again at the end; put it back in front, in order, and stop for this tick
        this.unsaved.unshift(this.unsaved.pop()!);
        return;
      }
    }
  }

  start(): void {
    const pending = this.outbox.retryAllNow(this.clock());
    if (pending > 0) this.logger.info({ pending }, 'sending notifications left pending by an earlier run');
    this.timer = setInterval(() => this.tick(), this.options.tickMs);
    this.kick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    for (const channel of this.channels.values()) await channel.notifier.close?.();
  }

  /** What a channel wants, as the page set it: from the next notification on. False for no such channel. */
  setInterest(name: string, interest: Pick<ChannelConfig, 'events' | 'minSeverity'>): boolean {
    const channel = this.channels.get(name);
    if (!channel) return false;
    channel.config = { ...channel.config, events: interest.events, minSeverity: interest.minSeverity };
    return true;
  }

  /**
   * A channel added while vigil runs (on the page): it gets what is enqueued from now on. False when a
   * channel of that name is there already.
   */
  addChannel(notifier: Notifier, config: ChannelConfig): boolean {
    if (this.channels.has(config.name)) return false;
    this.channels.set(config.name, newChannelState(notifier, config));
    return true;
  }

  /**
   * A channel taken away while vigil runs: nothing more is enqueued for it, and what its outbox still
   * holds is expired at the next round (deliver() finds no channel). False for no such channel.
   */
  async removeChannel(name: string): Promise<boolean> {
    const channel = this.channels.get(name);
    if (!channel) return false;
    this.channels.delete(name);
    this.kick();
    await channel.notifier.close?.();
    return true;
  }

  health(): ChannelHealth[] {
    const depth = this.outbox.depth();
    return [...this.channels.values()].map((c) => healthOf(c, depth.get(c.config.name) ?? 0, this.clock()));
  }

  /** Sends a test message straight to a channel (not through the outbox) and reports how it went. */
  async test(name: string): Promise<{ ok: boolean; latencyMs: number; error?: string } | null> {
    const channel = this.channels.get(name);
    if (!channel) return null;
    const now = new Date(this.clock()).toISOString();
    const started = this.clock();
    try {
      await channel.notifier.send({
        key: `test/${now}`,
        event: 'alert',
        severity: 'info',
        title: `Test message from vigil to ${name}`,
        text: 'If you can read this, the channel works.',
        links: [],
        at: now,
      });
      recordAttempt(channel, this.clock(), true, this.clock() - started);
      return { ok: true, latencyMs: this.clock() - started };
    } catch (err) {
      const error = (err as Error).message;
      recordAttempt(channel, this.clock(), false, this.clock() - started, error);
      return { ok: false, latencyMs: this.clock() - started, error: redactChannelError(channel.config, error) };
    }
  }

  private tick(): void {
    const idle = this.unsaved.length === 0 && (this.nextDueAt === null || this.nextDueAt > this.clock());
    if (!idle) this.kick();
  }

  private kick(): void {
    this.running ??= this.drain()
      // a store that fails mid-delivery: what was sent but not marked goes again (at least once)
      .catch((err: Error) =>
        this.logger.warn({ err: err.message }, 'notification round failed; the next tick tries again'),
      )
      .finally(() => {
        this.running = null;
      });
  }

  private async drain(): Promise<void> {
    const now = this.clock();
    // pessimistic until the round is over: a round that fails, or a message enqueued meanwhile, has
    // the next tick read the outbox again
    this.nextDueAt = now;
    this.flushUnsaved();
    let due: OutboxRow[];
    try {
      due = this.outbox.due(now, 500);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'the outbox cannot be read; trying again at the next tick');
      return;
    }
    const byChannel = new Map<string, OutboxRow[]>();
    for (const row of due) byChannel.set(row.channel, [...(byChannel.get(row.channel) ?? []), row]);
    await Promise.all([...byChannel].map(([name, rows]) => this.deliver(name, rows, now)));
    this.nextDueAt = this.outbox.nextDueAt();
  }

  private async deliver(name: string, rows: OutboxRow[], now: number): Promise<void> {
    const channel = this.channels.get(name);
    if (!channel) {
      // a channel removed from the configuration: its messages can never go out
      for (const row of rows) this.outbox.expire(row.id, `no channel named ${name} any more`);
      return;
    }
    if (channel.busy) return;
    for (const row of rows.filter((r) => now - r.createdAt > this.options.expiryMs)) {
      this.outbox.expire(row.id, row.lastError ?? 'expired before delivery');
      channel.health.expired++;
      this.emit('outcome', name, 'expired', 1);
      this.logger.error(
        { channel: name, key: row.dedupeKey, lastError: row.lastError },
        'notification expired undelivered',
      );
    }
    channel.recentSends = channel.recentSends.filter((t) => now - t < 60_000);
    if (channel.recentSends.length >= channel.config.ratePerMinute) return;
    const batch = readyRows(
      rows.filter((r) => now - r.createdAt <= this.options.expiryMs),
      channel.lastSentAt,
      this.options.groupMs,
      now,
    ).slice(0, 50);
    if (batch.length === 0) return;
    channel.busy = true;
    const started = this.clock();
    try {
      await channel.notifier.send(groupNotifications(batch.map((r) => JSON.parse(r.payload) as Notification)));
      const done = this.clock();
      this.outbox.markSent(
        batch.map((r) => r.id),
        done,
      );
      channel.lastSentAt = done;
      channel.recentSends.push(done);
      recordAttempt(channel, this.clock(), true, done - started);
      channel.health.sent += batch.length;
      this.emit('outcome', name, 'sent', batch.length);
    } catch (err) {
      const error = (err as Error).message;
      const attempts = Math.max(...batch.map((r) => r.attempts));
      this.outbox.retryLater(
        batch.map((r) => r.id),
        this.clock() + backoffDelay(attempts, { initialMs: this.options.retryBaseMs, maxMs: this.options.retryMaxMs }),
        error,
      );
      recordAttempt(channel, this.clock(), false, this.clock() - started, error);
      channel.health.failed += batch.length;
      this.emit('outcome', name, 'failed', batch.length);
      this.logger.warn(
        // a channel added on the page has secrets the logger was not told of at start
        {
          channel: name,
          err: redactChannelError(channel.config, error),
          messages: batch.length,
          attempt: attempts + 1,
        },
        'notification delivery failed; will retry',
      );
    } finally {
      channel.busy = false;
    }
  }
}
