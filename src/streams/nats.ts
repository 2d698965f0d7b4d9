import type { ConnectionOptions, Msg, NatsConnection } from 'nats';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { subjectToken } from '../host.js';
import { redactUrl } from '../logger.js';
import type { EventBus } from './event-bus.js';
import type { VigilEvent } from './events.js';

/**
 * The subjects of one host's vigil. A host's own subjects have four tokens or more
 * (`vigil.<host>.…`); the fleet's have three, so that no host's name can make them collide.
 */
export function natsSubjects(host: string) {
  const own = `vigil.${subjectToken(host)}`;
  return {
    /** Published: a container's summary entry on each change. Requested: its detail, or why not (from this host). */
    health: `${own}.container.health`,
    /** Published every interval, and requested: this host's summary. */
    healthAll: `${own}.container.health.all`,
    stats: `${own}.container.stats`,
    statsStream: `${own}.container.stats.stream`,
    /** Every event of the bus (health, recovery, alerts): `vigil.*.events` follows a whole fleet. */
    events: `${own}.events`,
    /** Requested: a container by name or id on whichever host has it; only that host answers. */
    fleetContainer: 'vigil.fleet.container',
    /** Requested: every vigil answers with its host's counts. */
    fleetHealth: 'vigil.fleet.health',
  } as const;
}
export type NatsSubjects = ReturnType<typeof natsSubjects>;

/**
 * The subjects of the original one-host specification, published beside the per-host ones with the
 * same bodies (each carries its `host`). A request on `health` is answered only by the vigil that has
 * the container, so that one request works across a fleet; on `healthAll` every vigil answers.
 */
export const originalSubjects = {
  health: 'docker.container.health',
  healthAll: 'docker.container.health.all',
  stats: 'docker.container.stats',
  statsStream: 'docker.container.stats.stream',
} as const;

/** What the publisher reads; the bodies are the JSON API's own shapes. */
export interface NatsSources {
  /** The summary entry of one container by its short id, if it still exists. */
  summaryOf(shortId: string): unknown;
  /** GET /api/v1/containers/health. */
  healthAll(): unknown;
  /** GET /api/v1/containers/:id/health, or the API's error body with its status. */
  detail(ref: string): { status: number; body: unknown };
  /** GET /api/v1/containers/:id/stats of every running container. */
  allStats(): unknown[];
  /** This host's line in a fleet view: its name, container and alert counts. */
  fleetEntry(): unknown;
  /** Subscribes to the end of each sampling sweep. */
  onSweep(listener: () => void): void;
  /**
   * Subscribes to each container whose state the inventory now shows changed (by short id): its summary
   * is published then, not at the engine's event, which comes before the inspection that updates it.
   */
  onStateChange(listener: (shortId: string) => void): void;
}

const FIRST_CONNECT_RETRY_MS = 1000;
const FIRST_CONNECT_TIMEOUT_MS = 5000;

/**
 * Pure: the reply to a request about one container, or null for none. Asked of the fleet
 * (`notFoundToo` false), a vigil without the container stays silent, and so does one still reading its
 * engine (a 503), which cannot know the container is not its own: the first answer taken is the owner's.
 */
export function containerReply(
  answer: { status: number; body: unknown },
  host: string,
  notFoundToo: boolean,
): string | null {
  const { status, body } = answer;
  if ((status === 404 || status === 503) && !notFoundToo) return null;
  // an error body says which host it comes from too: a fleet's answers must be told apart
  return JSON.stringify(status === 200 ? body : { ...(body as object), host });
}

/**
 * Publishes health and stats to NATS and answers requests for them. Publishing never waits on the
 * server: while it is away the client buffers and reconnects on its own, and nothing else slows.
 */
export class NatsPublisher {
  private connection: NatsConnection | null = null;
  private connecting: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Ends the wait between first connection attempts when vigil stops. */
  private readonly stopping = new AbortController();
  readonly published = new Map<string, number>();
  readonly failed = new Map<string, number>();
  readonly subjects: NatsSubjects;

  constructor(
    private readonly host: string,
    private readonly url: string,
    private readonly sources: NatsSources,
    private readonly bus: EventBus,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {
    this.subjects = natsSubjects(host);
  }

  get connected(): boolean {
    return this.connection !== null && !this.connection.isClosed() && this.reachable;
  }
  private reachable = false;

  start(): void {
    this.connecting = this.connect();
    this.bus.on('event', this.onEvent);
    const subjects = this.subjects;
    this.sources.onSweep(() => this.publishStats(subjects.statsStream, originalSubjects.statsStream));
    this.sources.onStateChange((shortId) => this.publishSummary(shortId));
    this.timer = setInterval(() => {
      const healthAll = this.sources.healthAll();
      this.publish(subjects.healthAll, healthAll);
      this.publish(originalSubjects.healthAll, healthAll);
      this.publishStats(subjects.stats, originalSubjects.stats);
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    if (this.timer) clearInterval(this.timer);
    this.bus.off('event', this.onEvent);
    await this.connecting;
    await this.connection?.drain().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    try {
      // loaded only when NATS is configured: the client is a sizeable share of vigil's memory
      const { connect } = await import('nats');
      const nc = await this.firstConnection(connect);
      if (!nc) return;
      if (this.stopped) {
        await nc.close();
        return;
      }
      this.connection = nc;
      this.reachable = true;
      this.logger.info({ server: nc.getServer() }, 'connected to NATS');
      const { health, healthAll, fleetContainer, fleetHealth } = this.subjects;
      nc.subscribe(health, { callback: (err, msg) => !err && this.answerOne(msg, true) });
      // another host's container is not this vigil's to answer for: it stays silent, the owner answers
      nc.subscribe(fleetContainer, { callback: (err, msg) => !err && this.answerOne(msg, false) });
      nc.subscribe(originalSubjects.health, { callback: (err, msg) => !err && this.answerOne(msg, false) });
      for (const subject of [healthAll, originalSubjects.healthAll])
        nc.subscribe(subject, { callback: (err, msg) => !err && this.answer(msg, this.sources.healthAll()) });
      nc.subscribe(fleetHealth, { callback: (err, msg) => !err && this.answer(msg, this.sources.fleetEntry()) });
      void this.watchStatus(nc);
    } catch (err) {
      this.logger.error(
        { err: (err as Error).message, url: redactUrl(this.url) },
        'NATS connection failed for good; publishing is off',
      );
    }
  }

  /**
   * Tries until the server answers or vigil stops. The client's own `waitOnFirstConnect` retries too,
   * but its promise cannot be given up: a vigil whose NATS was never reachable then hung its shutdown.
   * Once connected, the client reconnects on its own.
   */
  private async firstConnection(
    connect: (options: ConnectionOptions) => Promise<NatsConnection>,
  ): Promise<NatsConnection | null> {
    let warned = false;
    while (!this.stopped) {
      try {
        return await connect({
          servers: this.url,
          name: 'vigil',
          // vigil subscribes to a subject it publishes on; it must not hear itself
          noEcho: true,
          reconnect: true,
          maxReconnectAttempts: -1,
          reconnectTimeWait: FIRST_CONNECT_RETRY_MS,
          // bounds what a shutdown waits for an attempt under way
          timeout: FIRST_CONNECT_TIMEOUT_MS,
        });
      } catch (err) {
        if (!warned)
          this.logger.warn(
            { err: (err as Error).message, url: redactUrl(this.url) },
            'NATS not reachable; vigil keeps trying',
          );
        warned = true;
        await sleep(FIRST_CONNECT_RETRY_MS, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      }
    }
    return null;
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      // compared as text: the Events enum is a value of the nats package, which loads only when NATS is configured
      const type: string = status.type;
      if (type === 'disconnect') {
        this.reachable = false;
        this.logger.warn({ server: status.data }, 'NATS connection lost; reconnecting');
      } else if (type === 'reconnect') {
        this.reachable = true;
        this.logger.info({ server: status.data }, 'NATS connection back');
      }
    }
  }

  private readonly onEvent = (event: VigilEvent): void => {
    this.publish(this.subjects.events, event);
    // health transitions come from the inventory, which already shows them; state ones from the
    // engine's events, ahead of it (onStateChange)
    if (event.type === 'container.health' && event.container) this.publishSummary(event.container.id);
  };

  private publishSummary(shortId: string): void {
    if (this.stopped) return;
    const summary = this.sources.summaryOf(shortId);
    if (!summary) return;
    this.publish(this.subjects.health, summary);
    this.publish(originalSubjects.health, summary);
  }

  private publishStats(...subjects: string[]): void {
    for (const stats of this.sources.allStats()) for (const subject of subjects) this.publish(subject, stats);
  }

  private publish(subject: string, body: unknown): void {
    if (!this.connection || this.connection.isClosed()) return;
    try {
      this.connection.publish(subject, JSON.stringify(body));
      this.published.set(subject, (this.published.get(subject) ?? 0) + 1);
    } catch (err) {
      // the client's reconnect buffer is full: this message is dropped, the next interval sends fresh state
      this.failed.set(subject, (this.failed.get(subject) ?? 0) + 1);
      this.logger.debug({ subject, err: (err as Error).message }, 'NATS publish dropped');
    }
  }

  /** A container's detail, or the problem; with `notFoundToo` false, a container not here gets no answer. */
  private answerOne(msg: Msg, notFoundToo: boolean): void {
    if (!msg.reply) return;
    const ref = msg.string().trim().replace(/^"|"$/g, '');
    const reply = containerReply(this.sources.detail(ref), this.host, notFoundToo);
    if (reply !== null) msg.respond(reply);
  }

  /**
   * Every other vigil's answer to vigil.fleet.health within `waitMs` (this one's own is not among
   * them: the connection does not hear itself). Empty while NATS is away.
   */
  async gatherFleet(waitMs: number): Promise<unknown[]> {
    const nc = this.connection;
    if (!nc || nc.isClosed() || !this.reachable) return [];
    const answers: unknown[] = [];
    try {
      const { RequestStrategy } = await import('nats');
      const replies = await nc.requestMany(this.subjects.fleetHealth, '', {
        strategy: RequestStrategy.Timer,
        maxWait: waitMs,
      });
      for await (const reply of replies) {
        try {
          answers.push(reply.json());
        } catch {
          // not JSON: not a vigil's answer
        }
      }
    } catch (err) {
      this.logger.debug({ err: (err as Error).message }, 'fleet request failed');
    }
    return answers;
  }

  private answer(msg: Msg, body: unknown): void {
    if (msg.reply) msg.respond(JSON.stringify(body));
  }
}
