import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { containerStats } from '../../containers/view.js';
import type { EventBus } from '../../streams/event-bus.js';
import type { VigilEvent } from '../../streams/events.js';
import type { GuessLimiter } from '../guess-limiter.js';
import { HttpError } from '../errors.js';
import type { StreamLimits } from '../stream-limits.js';
import { upgradeRefusal, WS_PATH, type UpgradeGate } from './gate.js';
import { lazyWebSocketServer } from './lazy-server.js';
import { liveState, textOf, type StateSources } from './state.js';
import {
  refusal,
  applyMessage,
  parseClientMessage,
  reaches,
  serverMessage,
  type ClientMessage,
  type Subscription,
  type Topic,
} from './protocol.js';
import { lookUpContainer } from '../../containers/source.js';
import type { LogFollow, LogPump } from '../../logs/pump.js';

/** What the hub reads (the state sources) and what bounds it. */
export interface LiveHubParts extends StateSources, UpgradeGate {
  bus: EventBus;
  /** Called after every sampling sweep. */
  onSweep: (listener: () => void) => void;
  limits: StreamLimits;
  /** Wrong tokens per address, shared with the HTTP API. */
  guesses: GuessLimiter;
  /** Each client is pinged this often; one that has not answered the previous ping is dropped. */
  heartbeatMs: number;
  logger: Logger;
  /** The log pump that `logs` subscribers follow through (one engine stream per container). */
  logPump?: LogPump;
  /** The most lines of tail a `logs` subscriber may ask for (VIGIL_LOGS_TAIL_MAX). */
  logsTailCap?: number;
}

/** One container's log a client follows, with its slot in the stream limits. */
interface FollowedLog {
  follow: LogFollow;
  release(): void;
}

interface Client {
  socket: WebSocket;
  sub: Subscription;
  alive: boolean;
  /** Latest state messages held back while the client was slow: replaced, never queued. */
  pendingState: Map<Topic, string>;
  droppedEvents: number;
  address: string;
  /** By container id. */
  logs: Map<string, FollowedLog>;
  release(): void;
}

export { WS_PATH };
/** Clients sent the new state between two yields to the event loop. */
const STATE_BATCH = 20;
/** Events a new subscriber to `events` is sent first: as many as the page's feed shows. */
const RECENT_EVENTS = 50;

/**
 * The live WebSocket at /api/v1/ws (protocol in protocol.ts). State (health, stats) is built once per
 * sweep and the same bytes go to every subscriber; a client that falls behind gets the latest state
 * when it catches up and is told how many events it missed; one that holds more than its share of
 * memory, or stops answering pings, is dropped. The stream limits of the API apply.
 */
export class LiveHub {
  private readonly server = lazyWebSocketServer();
  private readonly clients = new Set<Client>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly parts: LiveHubParts) {
    parts.bus.on('event', (event) => this.broadcastEvent(event));
    parts.onSweep(() => this.broadcastState());
    this.heartbeat = setInterval(() => this.beat(), parts.heartbeatMs);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Why the hub would not accept a new client now, or null: readiness's `websocket` check. */
  problem(): string | null {
    if (this.closed) return 'the live WebSocket hub is closed';
    if (this.loadFailed) return 'the WebSocket server could not be loaded';
    if (this.parts.limits.full) return 'every stream is taken (VIGIL_STREAMS_MAX): new WebSocket clients get 429';
    return null;
  }
  private closed = false;
  private loadFailed = false;

  /** For the HTTP server's `upgrade` event: takes the request when it is for the hub, else answers 404. */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // a client that resets the connection mid-handshake must not take vigil down with an unhandled error
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, message: string): void => void socket.end(refusal(status, message));
    const refused = upgradeRefusal(req, this.parts);
    if (refused) return refuse(refused.status, refused.message);
    let admission: ReturnType<StreamLimits['admit']>;
    try {
      admission = this.parts.limits.admit(req.socket.remoteAddress ?? 'unknown');
    } catch (err) {
      return refuse((err as HttpError).status ?? 429, (err as Error).message);
    }
    // ws answers a malformed handshake itself and never calls back: the slot is given back then
    let accepted = false;
    socket.once('close', () => accepted || admission.release());
    void this.server.get().then(
      (server) =>
        server.handleUpgrade(req, socket, head, (ws) => {
          accepted = true;
          this.accept(ws, admission, req.socket.remoteAddress ?? 'unknown');
        }),
      (err: Error) => {
        this.loadFailed = true;
        this.parts.logger.error({ err }, 'the WebSocket server could not be loaded');
        refuse(503, 'the WebSocket server could not be loaded');
      },
    );
  };

  close(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.socket.terminate();
    this.server.close();
  }

  private accept(socket: WebSocket, admission: ReturnType<StreamLimits['admit']>, address: string): void {
    const client: Client = {
      socket,
      address,
      logs: new Map(),
      sub: { topics: new Set(), containers: new Set() },
      alive: true,
      pendingState: new Map(),
      droppedEvents: 0,
      release: () => admission.release(),
    };
    admission.register({
      buffered: () => socket.bufferedAmount,
      cut: (reason) => this.drop(client, 1013, reason),
    });
    this.clients.add(client);
    socket.on('pong', () => (client.alive = true));
    socket.on('message', (data, isBinary) => this.onMessage(client, isBinary ? null : textOf(data)));
    socket.on('close', () => this.forget(client));
    socket.on('error', () => this.forget(client));
  }

  private onMessage(client: Client, text: string | null): void {
    const parsed =
      text === null ? { ok: false as const, problem: 'binary messages are not understood' } : parseClientMessage(text);
    if (!parsed.ok) {
      this.send(client, serverMessage('error', { message: parsed.problem }));
      return;
    }
    client.sub = applyMessage(client.sub, parsed.message);
    if (parsed.message.topics.includes('logs')) this.onLogsMessage(client, parsed.message);
    const { topics, containers } = client.sub;
    this.send(client, serverMessage('subscribed', { topics: [...topics], containers: [...containers] }));
    if (parsed.message.type === 'subscribe') {
      // a new subscriber starts from the current state, not from the next sweep
      const state = liveState(this.parts);
      if (parsed.message.topics.includes('health')) this.send(client, state.health);
      if (parsed.message.topics.includes('stats')) this.send(client, this.statsFor(client, state.stats));
      // and from what just happened: a page opened now shows what the medic did a minute ago
      if (parsed.message.topics.includes('events')) {
        const recent = this.parts.bus.since(0).events.filter((e) => reaches(client.sub, 'events', e.container));
        for (const event of recent.slice(-RECENT_EVENTS)) this.send(client, serverMessage('event', event));
      }
    }
  }

  /** `logs`: follows (or stops following) each named container's log through the pump. */
  private onLogsMessage(client: Client, message: ClientMessage): void {
    const refs = (message.containers ?? []).map((c) => c.replace(/^\//, ''));
    if (message.type === 'unsubscribe') {
      for (const [id, log] of client.logs) {
        const entry = this.parts.containers.containers().find((e) => e.record.id === id);
        const named = refs.length === 0 || refs.some((r) => r === entry?.record.name || id.startsWith(r));
        if (named) this.stopLog(client, id, log);
      }
      return;
    }
    const pump = this.parts.logPump;
    if (!pump) return this.send(client, serverMessage('error', { message: 'logs are not served here' }));
    if (refs.length === 0)
      return this.send(client, serverMessage('error', { message: 'logs: name the containers to follow' }));
    const tail = Math.min(message.tail ?? 0, this.parts.logsTailCap ?? 1000);
    for (const ref of refs) {
      const found = lookUpContainer(ref, this.parts.containers);
      if (!found.ok) {
        this.send(client, serverMessage('error', { message: found.problem.message, container: ref }));
        continue;
      }
      const { record } = found.entry;
      if (client.logs.has(record.id)) continue;
      let admission: ReturnType<StreamLimits['admit']>;
      try {
        // each followed log is a stream, counted as an SSE log stream is: per client and in total
        admission = this.parts.limits.admit(client.address);
      } catch (err) {
        this.send(client, serverMessage('error', { message: (err as Error).message, container: record.name }));
        continue;
      }
      const container = record.name;
      const follow = pump.follow(
        record,
        { tail },
        {
          deliver: (batch) => {
            for (const line of batch.lines) {
              const { timestamp, stream, message: text } = line;
              this.send(client, serverMessage('log', { container, timestamp, stream, message: text }));
            }
            if (!this.behind(client)) return true;
            this.resumeWhenRead(client, record.id);
            return false;
          },
          end: (end) => {
            this.send(client, serverMessage('log:end', { container, ...end }));
            const log = client.logs.get(record.id);
            if (log) this.stopLog(client, record.id, log);
          },
        },
      );
      admission.register({ buffered: () => follow.buffered, cut: () => follow.close() });
      client.logs.set(record.id, { follow, release: () => admission.release() });
      follow.ready.catch((err: Error) => {
        this.send(client, serverMessage('log:end', { container, reason: `the engine refused: ${err.message}` }));
        const log = client.logs.get(record.id);
        if (log) this.stopLog(client, record.id, log);
      });
    }
  }

  /** A WebSocket has no drain event: its buffer is looked at until it has room again. */
  private resumeWhenRead(client: Client, id: string): void {
    const check = () => {
      const log = client.logs.get(id);
      if (!log || !this.clients.has(client)) return;
      if (this.behind(client)) setTimeout(check, 50).unref();
      else log.follow.resume();
    };
    setTimeout(check, 50).unref();
  }

  private stopLog(client: Client, id: string, log: FollowedLog): void {
    client.logs.delete(id);
    log.follow.close();
    log.release();
  }

  private statsFor(client: Client, stats: ReturnType<typeof containerStats>[]): string {
    return serverMessage('stats', { containers: stats.filter((s) => reaches(client.sub, 'stats', s)) });
  }

  private broadcastState(): void {
    const wanted = [...this.clients].filter((c) => c.sub.topics.has('health') || c.sub.topics.has('stats'));
    if (wanted.length === 0) return;
    const state = liveState(this.parts);
    // built once for every subscriber that takes all containers; only a filtered one gets its own
    let allStats: string | null = null;
    const statsOf = (client: Client) =>
      client.sub.containers.size > 0
        ? this.statsFor(client, state.stats)
        : (allStats ??= serverMessage('stats', { containers: state.stats }));
    const sendTo = (batch: Client[]) => {
      for (const client of batch) {
        if (client.sub.topics.has('health')) this.sendState(client, 'health', state.health);
        if (client.sub.topics.has('stats')) this.sendState(client, 'stats', statsOf(client));
      }
    };
    // in batches, yielding between them, so that a scrape arriving now is not kept waiting
    const next = (from: number) => {
      sendTo(wanted.slice(from, from + STATE_BATCH));
      if (from + STATE_BATCH < wanted.length) setImmediate(() => next(from + STATE_BATCH));
      else this.parts.limits.enforce();
    };
    next(0);
  }

  private broadcastEvent(event: VigilEvent): void {
    let frame: string | null = null;
    for (const client of this.clients) {
      if (!reaches(client.sub, 'events', event.container)) continue;
      if (this.behind(client)) {
        client.droppedEvents++;
        continue;
      }
      this.catchUp(client);
      frame ??= serverMessage('event', event);
      this.send(client, frame);
    }
    if (frame !== null) this.parts.limits.enforce();
  }

  /** Over half its share held: the client is behind, and gets only what is latest once it catches up. */
  private behind(client: Client): boolean {
    return client.socket.bufferedAmount > this.parts.limits.perStreamBytes / 2;
  }

  private sendState(client: Client, topic: Topic, message: string): void {
    if (this.behind(client)) client.pendingState.set(topic, message);
    else {
      this.catchUp(client);
      this.send(client, message);
    }
  }

  private catchUp(client: Client): void {
    for (const message of client.pendingState.values()) this.send(client, message);
    client.pendingState.clear();
    if (client.droppedEvents > 0) {
      this.send(client, serverMessage('events:dropped', { count: client.droppedEvents }));
      client.droppedEvents = 0;
    }
  }

  private send(client: Client, message: string): void {
    if (client.socket.readyState !== client.socket.OPEN) return;
    if (client.socket.bufferedAmount > this.parts.limits.perStreamBytes) {
      this.drop(client, 1013, 'too slow: this client holds more than its share of vigil memory for streams');
      return;
    }
    client.socket.send(message);
  }

  private beat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        this.parts.logger.debug('a WebSocket client missed a heartbeat; dropped');
        client.socket.terminate();
        this.forget(client);
        continue;
      }
      client.alive = false;
      client.socket.ping();
      if (!this.behind(client)) this.catchUp(client);
    }
  }

  private drop(client: Client, code: number, reason: string): void {
    client.socket.close(code, reason.slice(0, 120));
    // a client that does not read will not read the close frame either
    setTimeout(() => client.socket.terminate(), 1000).unref();
    this.forget(client);
  }

  private forget(client: Client): void {
    if (!this.clients.delete(client)) return;
    for (const [id, log] of client.logs) this.stopLog(client, id, log);
    client.release();
  }
}
