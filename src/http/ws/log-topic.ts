import { lookUpContainer, type ContainersSource } from '../../containers/source.js';
import type { LogEnd, LogFollow, LogPump } from '../../logs/pump.js';
import type { Admission } from '../stream-client.js';
import type { StreamLimits } from '../stream-limits.js';
import type { WsClient } from './client.js';
import { serverMessage, type ClientMessage } from './protocol.js';

export interface LogTopicParts {
  containers: ContainersSource;
  limits: StreamLimits;
  /** The log pump that `logs` subscribers follow through (one engine stream per container). */
  logPump?: LogPump;
  /** The most lines of tail a `logs` subscriber may ask for (VIGIL_LOGS_TAIL_MAX). */
  logsTailCap?: number;
}

/** One container's log a client follows, with its slot in the stream limits. */
interface FollowedLog {
  /** Its name, as the client's messages about it say. */
  container: string;
  follow: LogFollow;
  release(): void;
}

/** How often a behind client's buffer is looked at, to resume its logs once it has room. */
const RESUME_CHECK_MS = 50;

/**
 * The `logs` topic of one WebSocket client: each container it names followed through the log pump,
 * each a stream of its own in the stream limits (as an SSE log stream is: per client and in total),
 * its lines sent as `log` and its end as `log:end` with the reason.
 */
export class FollowedLogs {
  /** By container id. */
  private readonly logs = new Map<string, FollowedLog>();

  constructor(
    private readonly client: WsClient,
    private readonly parts: LogTopicParts,
  ) {}

  /** A `subscribe` or `unsubscribe` naming the `logs` topic. */
  onMessage(message: ClientMessage): void {
    const refs = (message.containers ?? []).map((c) => c.replace(/^\//, ''));
    if (message.type === 'unsubscribe') return this.unfollow(refs);
    const pump = this.parts.logPump;
    if (!pump) return this.client.send(serverMessage('error', { message: 'logs are not served here' }));
    if (refs.length === 0)
      return this.client.send(serverMessage('error', { message: 'logs: name the containers to follow' }));
    const tail = Math.min(message.tail ?? 0, this.parts.logsTailCap ?? 1000);
    for (const ref of refs) this.follow(pump, ref, tail);
  }

  /** Every followed log ends, each told why (the client is cut). */
  endAll(reason: string): void {
    for (const id of [...this.logs.keys()]) this.end(id, { reason });
  }

  /** Every followed log stops, untold (the client went). */
  stopAll(): void {
    for (const [id, log] of this.logs) this.stop(id, log);
  }

  private unfollow(refs: string[]): void {
    for (const [id, log] of this.logs) {
      const entry = this.parts.containers.containers().find((e) => e.record.id === id);
      const named = refs.length === 0 || refs.some((r) => r === entry?.record.name || id.startsWith(r));
      if (named) this.stop(id, log);
    }
  }

  private follow(pump: LogPump, ref: string, tail: number): void {
    const found = lookUpContainer(ref, this.parts.containers);
    if (!found.ok) {
      const { message, details } = found.problem;
      this.client.send(serverMessage('error', { message, container: ref, ...details }));
      return;
    }
    const { record } = found.entry;
    if (this.logs.has(record.id)) return;
    let admission: Admission;
    try {
      admission = this.parts.limits.admit(this.client.address);
    } catch (err) {
      this.client.send(serverMessage('error', { message: (err as Error).message, container: record.name }));
      return;
    }
    const container = record.name;
    const follow = pump.follow(
      record,
      { tail },
      {
        deliver: (batch) => {
          for (const line of batch.lines) {
            const { timestamp, stream, message: text } = line;
            this.client.send(serverMessage('log', { container, timestamp, stream, message: text }));
          }
          if (!this.client.behind) return true;
          this.resumeWhenRead(record.id);
          return false;
        },
        end: (end) => this.end(record.id, end),
      },
    );
    admission.register({ buffered: () => follow.buffered, cut: (reason) => this.end(record.id, { reason }) });
    this.logs.set(record.id, { container, follow, release: () => admission.release() });
    follow.ready.catch((err: Error) => this.end(record.id, { reason: `the engine refused: ${err.message}` }));
  }

  /** A WebSocket has no drain event: its buffer is looked at until it has room again. */
  private resumeWhenRead(id: string): void {
    const check = () => {
      const log = this.logs.get(id);
      if (!log || this.client.closed) return;
      if (this.client.behind) setTimeout(check, RESUME_CHECK_MS).unref();
      else log.follow.resume();
    };
    setTimeout(check, RESUME_CHECK_MS).unref();
  }

  /**
   * A followed log ends with `log:end` saying why, sent whatever the client holds: the reason is what
   * a cut reader most needs to read once it reads again (the socket closes after it or the client stays).
   */
  private end(id: string, end: LogEnd): void {
    const log = this.logs.get(id);
    if (!log) return;
    this.client.sendFinal(serverMessage('log:end', { container: log.container, ...end }));
    this.stop(id, log);
  }

  private stop(id: string, log: FollowedLog): void {
    this.logs.delete(id);
    log.follow.close();
    log.release();
  }
}
