import type { WebSocket } from 'ws';
import { CUT_GRACE_MS, StreamClient, type Admission } from '../stream-client.js';
import { FollowedLogs, type LogTopicParts } from './log-topic.js';
import { serverMessage, type Subscription, type Topic } from './protocol.js';

/**
 * One client of the live WebSocket on the stream-client core: its subscription, what was held back
 * while it was slow (the latest state per topic, a count of missed events), the logs it follows and
 * its end. A cut ends each followed log with the reason, then closes with 1013; a client that does
 * not read will not answer the close either, and its socket goes after the grace a cut SSE stream gets.
 */
export class WsClient {
  sub: Subscription = { topics: new Set(), containers: new Set() };
  /** Whether it answered the last ping. */
  alive = true;
  /** Latest state messages held back while the client was slow: replaced, never queued. */
  private readonly pendingState = new Map<Topic, string>();
  private droppedEvents = 0;
  private readonly stream: StreamClient<string>;
  /** The `logs` topic: the containers whose logs it follows. */
  readonly logs: FollowedLogs;

  constructor(
    readonly socket: WebSocket,
    readonly address: string,
    admission: Admission,
    parts: LogTopicParts,
  ) {
    this.logs = new FollowedLogs(this, parts);
    this.stream = new StreamClient<string>(
      parts.limits,
      admission,
      {
        buffered: () => socket.bufferedAmount,
        // a WebSocket takes every message; `behind` is how it says it would rather take no more
        write: (message) => {
          if (socket.readyState === socket.OPEN) socket.send(message);
          return !this.behind;
        },
        close: () => this.logs.stopAll(),
        cut: (reason) => {
          this.logs.endAll(reason);
          socket.close(1013, reason.slice(0, 120));
          setTimeout(() => socket.terminate(), CUT_GRACE_MS).unref();
        },
      },
      'too slow: this client holds more than its share of vigil memory for streams',
    );
  }

  get closed(): boolean {
    return this.stream.closed;
  }

  /** Over half its share held: it is behind, and gets only what is latest once it catches up. */
  get behind(): boolean {
    return this.stream.behind;
  }

  send(message: string): void {
    this.stream.send(message);
  }

  /** A last message, queued whatever the client holds already. */
  sendFinal(message: string): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(message);
  }

  /** Runs once, when the client ends. */
  onEnd(listener: () => void): void {
    this.stream.onEnd(listener);
  }

  /** State for a topic: sent, or held as the latest while the client is behind. */
  sendState(topic: Topic, message: string): void {
    if (this.behind) this.pendingState.set(topic, message);
    else {
      this.catchUp();
      this.send(message);
    }
  }

  /** An event: sent, or counted as missed while the client is behind. */
  sendEvent(frame: () => string): boolean {
    if (this.behind) {
      this.droppedEvents++;
      return false;
    }
    this.catchUp();
    this.send(frame());
    return true;
  }

  /** What was held back while it was behind: the latest state, and how many events it missed. */
  catchUp(): void {
    for (const message of this.pendingState.values()) this.send(message);
    this.pendingState.clear();
    if (this.droppedEvents > 0) {
      this.send(serverMessage('events:dropped', { count: this.droppedEvents }));
      this.droppedEvents = 0;
    }
  }

  /** The client went (its socket closed or failed). */
  forget(): void {
    this.stream.close();
  }

  cut(reason: string): void {
    this.stream.cut(reason);
  }
}
