import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { containerStats } from '../../containers/view.js';
import type { EventBus } from '../../streams/event-bus.js';
import type { VigilEvent } from '../../streams/events.js';
import type { GuessLimiter } from '../guess-limiter.js';
import { HttpError } from '../errors.js';
import type { Admission } from '../stream-client.js';
import { upgradeRefusal, WS_PATH, type UpgradeGate } from './gate.js';
import { WsClient } from './client.js';
import { lazyWebSocketServer } from './lazy-server.js';
import type { LogTopicParts } from './log-topic.js';
import { liveState, textOf, type StateSources } from './state.js';
import { refusal, applyMessage, parseClientMessage, reaches, serverMessage } from './protocol.js';

/** What the hub reads (the state sources) and what bounds it. */
export interface LiveHubParts extends StateSources, UpgradeGate, LogTopicParts {
  bus: EventBus;
  /** Called after every sampling sweep. */
  onSweep: (listener: () => void) => void;
  /** Wrong tokens per address, shared with the HTTP API. */
  guesses: GuessLimiter;
  /** Each client is pinged this often; one that has not answered the previous ping is dropped. */
  heartbeatMs: number;
  logger: Logger;
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
  private readonly clients = new Set<WsClient>();
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
    let admission: Admission;
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

  private accept(socket: WebSocket, admission: Admission, address: string): void {
    const client = new WsClient(socket, address, admission, this.parts);
    this.clients.add(client);
    client.onEnd(() => this.clients.delete(client));
    socket.on('pong', () => (client.alive = true));
    socket.on('message', (data, isBinary) => this.onMessage(client, isBinary ? null : textOf(data)));
    socket.on('close', () => client.forget());
    socket.on('error', () => client.forget());
  }

  private onMessage(client: WsClient, text: string | null): void {
    const parsed =
      text === null ? { ok: false as const, problem: 'binary messages are not understood' } : parseClientMessage(text);
    if (!parsed.ok) {
      client.send(serverMessage('error', { message: parsed.problem }));
      return;
    }
    client.sub = applyMessage(client.sub, parsed.message);
    if (parsed.message.topics.includes('logs')) client.logs.onMessage(parsed.message);
    const { topics, containers } = client.sub;
    client.send(serverMessage('subscribed', { topics: [...topics], containers: [...containers] }));
    if (parsed.message.type === 'subscribe') {
      // a new subscriber starts from the current state, not from the next sweep
      const state = liveState(this.parts);
      if (parsed.message.topics.includes('health')) client.send(state.health);
      if (parsed.message.topics.includes('stats')) client.send(this.statsFor(client, state.stats));
      // and from what just happened: a page opened now shows what the medic did a minute ago
      if (parsed.message.topics.includes('events')) {
        const recent = this.parts.bus.since(0).events.filter((e) => reaches(client.sub, 'events', e.container));
        for (const event of recent.slice(-RECENT_EVENTS)) client.send(serverMessage('event', event));
      }
    }
  }

  private statsFor(client: WsClient, stats: ReturnType<typeof containerStats>[]): string {
    return serverMessage('stats', { containers: stats.filter((s) => reaches(client.sub, 'stats', s)) });
  }

  private broadcastState(): void {
    const wanted = [...this.clients].filter((c) => c.sub.topics.has('health') || c.sub.topics.has('stats'));
    if (wanted.length === 0) return;
    const state = liveState(this.parts);
    // built once for every subscriber that takes all containers; only a filtered one gets its own
    let allStats: string | null = null;
    const statsOf = (client: WsClient) =>
      client.sub.containers.size > 0
        ? this.statsFor(client, state.stats)
        : (allStats ??= serverMessage('stats', { containers: state.stats }));
    const sendTo = (batch: WsClient[]) => {
      for (const client of batch) {
        if (client.sub.topics.has('health')) client.sendState('health', state.health);
        if (client.sub.topics.has('stats')) client.sendState('stats', statsOf(client));
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
    let sent = false;
    for (const client of this.clients) {
      if (!reaches(client.sub, 'events', event.container)) continue;
      if (client.sendEvent(() => (frame ??= serverMessage('event', event)))) sent = true;
    }
    if (sent) this.parts.limits.enforce();
  }

  private beat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        // a reader that stopped reading cannot answer either: it is cut as a slow one is, told why
        this.parts.logger.debug('a WebSocket client missed a heartbeat; dropped');
        client.cut(`too slow: this client did not answer a ping within ${this.parts.heartbeatMs / 1000} s`);
        continue;
      }
      client.alive = false;
      client.socket.ping();
      if (!client.behind) client.catchUp();
    }
  }
}
