import type { Context } from 'koa';
import { PassThrough } from 'node:stream';
import { HttpError } from './errors.js';
import { CUT_GRACE_MS } from './stream-client.js';
import { retryAfterSeconds, type StreamLimits } from './stream-limits.js';

export interface SseChannel {
  /** False when the client is slow: wait for 'drain' before sending more. A string is sent as already-encoded JSON. */
  send(event: string, data: unknown, id?: number): boolean;
  /** An already-encoded frame, shared by every client it goes to (no copy per client). */
  sendFrame(frame: Buffer): boolean;
  comment(text: string): void;
  onDrain(listener: () => void): void;
  /** Runs once, when the client goes or the channel is closed. */
  onClose(listener: () => void): void;
  close(): void;
  /** Ends the stream with a final `event: end` saying why, and lets go of what is buffered for it. */
  cut(reason: string): void;
  /** Bytes held for this client elsewhere (a log follower's queue), counted against the stream limits. */
  alsoHolds(measure: () => number): void;
  readonly closed: boolean;
}

/**
 * Turns a koa request into a Server-Sent Events stream, within the stream limits: a client past
 * them gets 429 with Retry-After. Heartbeat comments keep idle streams open through proxies that drop
 * silent connections; the socket's own timeout is lifted. A client that does not keep up is cut off:
 * a final `event: end` says why, and its socket is destroyed so that nothing stays buffered for it.
 */
export function openSse(ctx: Context, heartbeatMs: number, limits: StreamLimits): SseChannel {
  let admission;
  try {
    admission = limits.admit(ctx.ip);
  } catch (err) {
    if (err instanceof HttpError && err.status === 429) ctx.set('Retry-After', String(retryAfterSeconds));
    throw err;
  }
  const stream = new PassThrough();
  const socket = ctx.req.socket;
  socket.setTimeout(0);
  socket.setNoDelay(true);
  ctx.status = 200;
  ctx.set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    // nginx buffers responses unless told not to
    'X-Accel-Buffering': 'no',
  });
  ctx.body = stream;
  // the headers go out now, not with the first event, so the client knows the stream is open
  stream.write(': connected\n\n');

  const closeListeners: (() => void)[] = [];
  let closed = false;
  const heartbeat = setInterval(() => stream.write(': heartbeat\n\n'), heartbeatMs);
  let heldElsewhere = (): number => 0;
  const buffered = (): number =>
    stream.writableLength + stream.readableLength + ctx.res.writableLength + heldElsewhere();
  const close = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    admission.release();
    for (const listener of closeListeners) listener();
    stream.end();
  };
  const cut = (reason: string): void => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    admission.release();
    for (const listener of closeListeners) listener();
    // koa pipes this stream into the response with stream.pipeline, which takes the response (and the
    // socket) down with it: destroyed now, it would lose the final event of a client with a backlog.
    // So the stream is unpiped and what it holds read off to nowhere, the final event written straight
    // to the response, and the stream destroyed once the response is flushed or the grace is over.
    stream.unpipe(ctx.res);
    stream.resume();
    if (!ctx.res.writableEnded) ctx.res.end(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
    ctx.res.once('finish', () => stream.destroy());
    setTimeout(() => {
      stream.destroy();
      socket.destroy();
    }, CUT_GRACE_MS).unref();
  };
  admission.register({ buffered, cut });
  ctx.req.on('close', close);
  ctx.res.on('close', close);

  return {
    send(event, data, id) {
      if (closed) return false;
      if (buffered() > limits.perStreamBytes) {
        cut('too slow: this stream fell too far behind');
        return false;
      }
      const json = typeof data === 'string' ? data : JSON.stringify(data);
      const ok = stream.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${json}\n\n`);
      if (!ok) limits.enforce();
      return ok;
    },
    sendFrame(frame) {
      if (closed) return false;
      if (buffered() > limits.perStreamBytes) {
        cut('too slow: this stream fell too far behind');
        return false;
      }
      const ok = stream.write(frame);
      if (!ok) limits.enforce();
      return ok;
    },
    comment(text) {
      if (!closed) stream.write(`: ${text.replace(/\n/g, ' ')}\n\n`);
    },
    onDrain(listener) {
      stream.once('drain', listener);
    },
    onClose(listener) {
      if (closed) listener();
      else closeListeners.push(listener);
    },
    close,
    cut,
    alsoHolds(measure) {
      heldElsewhere = measure;
    },
    get closed() {
      return closed;
    },
  };
}
