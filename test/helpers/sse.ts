export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

import { get, request, type IncomingMessage } from 'node:http';

/**
 * The stream's text as it comes, in pieces cut anywhere, to messages as a browser's EventSource reads
 * them (comments skipped, `data` lines joined): what it returns takes each piece.
 */
export function sseParser(onMessage: (message: SseMessage) => void): (text: string) => void {
  let buffer = '';
  return (text) => {
    buffer += text;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const message: SseMessage = { event: 'message', data: '' };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') message.event = value;
        else if (field === 'data') data.push(value);
        else if (field === 'id') message.id = value;
      }
      if (data.length > 0 || message.event !== 'message') {
        message.data = data.join('\n');
        onMessage(message);
      }
    }
  };
}

export interface SseClient {
  status: number;
  headers: IncomingMessage['headers'];
  /** The next message; throws when the stream ends first or the wait is over. */
  next(timeoutMs?: number): Promise<SseMessage>;
  /** Every message until the server ends the stream. */
  rest(timeoutMs?: number): Promise<SseMessage[]>;
  close(): void;
}

/**
 * A real SSE client, parsing the stream as a browser's EventSource would. Each client has a socket of
 * its own (no agent, no pool), so closing it closes the connection, as a browser tab going away does.
 */
export async function openSseClient(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const abort = new AbortController();
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    get(url, { agent: false, headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal }, resolve).on(
      'error',
      reject,
    );
  });
  const queue: SseMessage[] = [];
  let ended = false;
  let failure: unknown;
  const waiter: { wake: (() => void) | null } = { wake: null };
  void (async () => {
    try {
      const decoder = new TextDecoder();
      const feed = sseParser((message) => {
        queue.push(message);
        waiter.wake?.();
      });
      for await (const chunk of res as AsyncIterable<Buffer>) feed(decoder.decode(chunk, { stream: true }));
    } catch (err) {
      if (!abort.signal.aborted) failure = err;
    } finally {
      ended = true;
      waiter.wake?.();
    }
  })();

  async function next(timeoutMs = 10_000): Promise<SseMessage> {
    const deadline = Date.now() + timeoutMs;
    while (queue.length === 0) {
      if (ended)
        throw new Error(
          `stream ended${failure ? `: ${failure instanceof Error ? failure.message : JSON.stringify(failure)}` : ''}`,
        );
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no SSE message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        waiter.wake = resolve;
        setTimeout(resolve, Math.min(left, 200));
      });
      waiter.wake = null;
    }
    return queue.shift()!;
  }

  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    next,
    async rest(timeoutMs = 30_000) {
      const out: SseMessage[] = [];
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          out.push(await next(Math.max(1, deadline - Date.now())));
        } catch (err) {
          if (ended && queue.length === 0) return out;
          throw err;
        }
      }
    },
    close: () => {
      abort.abort();
      res.destroy();
    },
  };
}

/**
 * `count` SSE clients on /api/v1/events that never read, spread over 30 loopback addresses (10 each
 * for 300), so that both the per-client and the total stream limit are met. Resolves once every one has
 * its answer's status; `retryAfter` counts the 429s that said when to come back.
 */
export async function openIdleEventStreams(
  url: string,
  count: number,
  headers: Record<string, string>,
): Promise<{ statuses: number[]; retryAfter: number; destroy: () => void }> {
  const port = Number(new URL(url).port);
  const statuses: number[] = [];
  let retryAfter = 0;
  const requests = await Promise.all(
    Array.from(
      { length: count },
      (_, i) =>
        new Promise<{ destroy(): void }>((resolve) => {
          const req = request(
            {
              host: '127.0.0.1',
              port,
              path: '/api/v1/events',
              headers,
              localAddress: `127.0.0.${2 + (i % 30)}`,
              agent: false,
            },
            (res) => {
              statuses.push(res.statusCode ?? 0);
              if (res.statusCode === 429 && res.headers['retry-after']) retryAfter++;
              res.pause(); // never reads
              resolve(req);
            },
          );
          req.on('error', () => resolve(req));
          req.end();
        }),
    ),
  );
  return { statuses, retryAfter, destroy: () => requests.forEach((r) => r.destroy()) };
}

/** Reads a logs stream to its end without keeping it: how many `log` events came, and the `end` event's block. */
export async function countLogEvents(body: AsyncIterable<Uint8Array>): Promise<{ lines: number; end: string }> {
  let lines = 0;
  let end = '';
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let i: number;
    while ((i = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      if (block.startsWith('event: log')) lines++;
      else if (block.startsWith('event: end')) end = block;
    }
  }
  return { lines, end };
}
