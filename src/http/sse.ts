import type { Context } from 'koa';
import { PassThrough } from 'node:stream';

export interface SseChannel {
  /** False when the client is slow: wait for 'drain' before sending more. */
  send(event: string, data: unknown, id?: number): boolean;
  comment(text: string): void;
  onDrain(listener: () => void): void;
  /** Runs once, when the client goes or the channel is closed. */
  onClose(listener: () => void): void;
  close(): void;
  readonly closed: boolean;
}

/**
 * Turns a koa request into a Server-Sent Events stream. Heartbeat comments keep idle streams open
 * through proxies that drop silent connections; the socket's own timeout is lifted.
 */
/** A client this far behind is not reading: it is dropped rather than buffered without end. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export function openSse(ctx: Context, heartbeatMs: number): SseChannel {
  const stream = new PassThrough();
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
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
  const close = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const listener of closeListeners) listener();
    stream.end();
  };
  ctx.req.on('close', close);
  ctx.res.on('close', close);

  return {
    send(event, data, id) {
      if (closed) return false;
      if (stream.writableLength > MAX_BUFFERED_BYTES) {
        close();
        return false;
      }
      return stream.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
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
    get closed() {
      return closed;
    },
  };
}
