import type { Context } from 'koa';
import { PassThrough } from 'node:stream';
import { HttpError } from './errors.js';
import { CUT_GRACE_MS, StreamClient } from './stream-client.js';
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

/** One SSE frame: the only place the format is written (events, log lines, the final `end`). */
export function sseFrame(event: string, json: string, id?: number): string {
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${json}\n\n`;
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

  const heartbeat = setInterval(() => stream.write(': heartbeat\n\n'), heartbeatMs);
  let heldElsewhere = (): number => 0;
  const client = new StreamClient<string | Buffer>(
    limits,
    admission,
    {
      buffered: () => stream.writableLength + stream.readableLength + ctx.res.writableLength + heldElsewhere(),
      write: (frame) => stream.write(frame),
      close: () => {
        clearInterval(heartbeat);
        stream.end();
      },
      cut: (reason) => {
        clearInterval(heartbeat);
        // koa pipes this stream into the response with stream.pipeline, which takes the response (and
        // the socket) down with it: destroyed now, it would lose the final event of a client with a
        // backlog. So the stream is unpiped and what it holds read off to nowhere, the final event
        // written straight to the response, and the stream destroyed once the response is flushed or
        // the grace is over.
        stream.unpipe(ctx.res);
        stream.resume();
        if (!ctx.res.writableEnded) ctx.res.end(sseFrame('end', JSON.stringify({ reason })));
        ctx.res.once('finish', () => stream.destroy());
        setTimeout(() => {
          stream.destroy();
          socket.destroy();
        }, CUT_GRACE_MS).unref();
      },
    },
    'too slow: this stream fell too far behind',
  );
  const close = (): void => client.close();
  ctx.req.on('close', close);
  ctx.res.on('close', close);

  return {
    send(event, data, id) {
      return client.send(sseFrame(event, typeof data === 'string' ? data : JSON.stringify(data), id));
    },
    sendFrame(frame) {
      return client.send(frame);
    },
    comment(text) {
      if (!client.closed) stream.write(`: ${text.replace(/\n/g, ' ')}\n\n`);
    },
    onDrain(listener) {
      stream.once('drain', listener);
    },
    onClose(listener) {
      client.onEnd(listener);
    },
    close,
    cut: (reason) => client.cut(reason),
    alsoHolds(measure) {
      heldElsewhere = measure;
    },
    get closed() {
      return client.closed;
    },
  };
}
