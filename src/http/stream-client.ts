import type { StreamLimits } from './stream-limits.js';

/**
 * After the final message of a cut stream (SSE's `event: end`, the WebSocket's `log:end` and close
 * frame), the client gets this long to read it; then its socket goes. What vigil holds meanwhile is
 * that message and what the transport had already taken, not the stream's backlog; a stalled client
 * that reads again must get through the kernel's buffers first (megabytes on loopback), which one
 * second under load did not allow.
 */
export const CUT_GRACE_MS = 10_000;

/** A stream's slot in the stream limits, as `StreamLimits.admit` gives it. */
export type Admission = ReturnType<StreamLimits['admit']>;

/** What a transport (an SSE response, a WebSocket) does for the stream client over it. */
export interface StreamTransport<Frame> {
  /** Bytes waiting for this client inside vigil. */
  buffered(): number;
  /** Writes one frame; false when the transport would rather take no more for now. */
  write(frame: Frame): boolean;
  /** The stream is over (the client went, or it is closed): lets go of what it holds. */
  close(): void;
  /** Ends with the final message saying why, written whatever the client holds, and lets go after the grace. */
  cut(reason: string): void;
}

/**
 * One client of a stream, SSE or WebSocket, within the stream limits: its buffer counted against
 * them; a client holding more than its share (`tooSlow` says so) or the most when the ceiling is met
 * is cut; it ends once, and its slot is given back then.
 */
export class StreamClient<Frame> {
  private ended = false;
  private readonly endListeners: (() => void)[] = [];

  constructor(
    private readonly limits: StreamLimits,
    private readonly admission: Admission,
    private readonly transport: StreamTransport<Frame>,
    private readonly tooSlow: string,
  ) {
    admission.register({ buffered: () => transport.buffered(), cut: (reason) => this.cut(reason) });
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Over half its share held: the client is behind, and is sent only what it cannot do without. */
  get behind(): boolean {
    return this.transport.buffered() > this.limits.perStreamBytes / 2;
  }

  /** False when the frame was not sent (the client is gone or was cut for it) or the transport is full. */
  send(frame: Frame): boolean {
    if (this.ended) return false;
    if (this.transport.buffered() > this.limits.perStreamBytes) {
      this.cut(this.tooSlow);
      return false;
    }
    const ok = this.transport.write(frame);
    if (!ok) this.limits.enforce();
    return ok;
  }

  /** Runs once, when the stream ends (closed or cut), before the transport lets go. */
  onEnd(listener: () => void): void {
    if (this.ended) listener();
    else this.endListeners.push(listener);
  }

  close(): void {
    if (!this.end()) return;
    this.transport.close();
  }

  cut(reason: string): void {
    if (!this.end()) return;
    this.transport.cut(reason);
  }

  private end(): boolean {
    if (this.ended) return false;
    this.ended = true;
    this.admission.release();
    for (const listener of this.endListeners) listener();
    return true;
  }
}
