import type { Router } from '@koa/router';
import type { Logger } from 'pino';
import type { ContainerEngine } from '../../docker/engine.js';
import { createLogParser, type LogLine } from '../../docker/parse/logs.js';
import { batchOf, type LogBatch } from '../../logs/follower.js';
import type { LogPump } from '../../logs/pump.js';
import type { EventBus } from '../../streams/event-bus.js';
import type { VigilEvent } from '../../streams/events.js';
import { engineHttpError, HttpError } from '../errors.js';
import type { StreamLimits } from '../stream-limits.js';
import { openSse, sseFrame, type SseChannel } from '../sse.js';
import type { ContainersSource } from '../../containers/source.js';
import { findContainer } from './containers.js';

export interface LogsQuery {
  tail: number | 'all';
  follow: boolean;
  sinceSeconds?: number;
}

const booleans: Record<string, boolean> = { true: true, '1': true, false: false, '0': false };

function single(query: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw new HttpError(400, `query parameter ${name} is given more than once`);
  return value;
}

/** Pure: the logs endpoint's query, or a 400 naming the parameter at fault. */
export function parseLogsQuery(
  query: Record<string, string | string[] | undefined>,
  tailCap: number,
  defaultTail: number,
): LogsQuery {
  const tailText = single(query, 'tail');
  let tail: number | 'all' = Math.min(defaultTail, tailCap);
  if (tailText !== undefined) {
    if (tailText === 'all') tail = 'all';
    else if (/^\d{1,9}$/.test(tailText) && Number(tailText) <= tailCap) tail = Number(tailText);
    else
      throw new HttpError(
        400,
        `tail must be "all" or a whole number from 0 to ${tailCap}, not "${tailText.slice(0, 40)}"`,
      );
  }
  const followText = single(query, 'follow');
  const follow = followText === undefined ? false : booleans[followText];
  if (follow === undefined) throw new HttpError(400, `follow must be true or false, not "${followText!.slice(0, 40)}"`);
  const sinceText = single(query, 'since');
  let sinceSeconds: number | undefined;
  if (sinceText !== undefined) {
    sinceSeconds = /^\d{1,12}(\.\d{1,9})?$/.test(sinceText) ? Number(sinceText) : Date.parse(sinceText) / 1000;
    if (!Number.isFinite(sinceSeconds) || sinceSeconds < 0) {
      throw new HttpError(400, `since must be Unix seconds or an RFC 3339 time, not "${sinceText.slice(0, 40)}"`);
    }
  }
  return { tail, follow, ...(sinceSeconds !== undefined ? { sinceSeconds } : {}) };
}

/** Pure: the Last-Event-ID a client resumes from (header, or query for clients that cannot set headers). */
export function parseLastEventId(header: string | undefined, query: string | undefined): number | undefined {
  const text = header || query;
  if (text === undefined || text === '') return undefined;
  if (!/^\d{1,16}$/.test(text))
    throw new HttpError(400, `Last-Event-ID must be an event id (digits), not "${text.slice(0, 40)}"`);
  return Number(text);
}

export interface StreamOptions {
  heartbeatMs: number;
  logsTailCap: number;
  logsDefaultTail: number;
  limits: StreamLimits;
}

export function streamRoutes(
  router: Router,
  deps: { engine: ContainerEngine; pump: LogPump; containers: ContainersSource; bus: EventBus; logger: Logger },
  options: StreamOptions,
): void {
  router.get('/api/v1/containers/:id/logs', async (ctx) => {
    const entry = findContainer(ctx.params.id!, deps.containers);
    const query = parseLogsQuery(ctx.query, options.logsTailCap, options.logsDefaultTail);
    // admitted before the engine is asked: a client past the limits costs the engine nothing
    const sse = openSse(ctx, options.heartbeatMs, options.limits);
    if (query.follow) await followLogs(sse, entry.record, query, deps);
    else await readLogs(sse, entry.record, query, deps);
  });

  router.get('/api/v1/events', (ctx) => {
    const lastId = parseLastEventId(ctx.get('last-event-id') || undefined, single(ctx.query, 'lastEventId'));
    const types = single(ctx.query, 'types')?.split(',').filter(Boolean);
    const wanted = (type: string): boolean => !types || types.some((t) => type === t || type.startsWith(`${t}.`));
    const sse = openSse(ctx, options.heartbeatMs, options.limits);
    if (lastId !== undefined) {
      const { events, complete } = deps.bus.since(lastId);
      if (!complete)
        sse.send('gap', {
          lastEventId: lastId,
          message: 'events after this id are no longer kept; reload state from the API',
        });
      for (const event of events) if (wanted(event.type)) sse.sendFrame(encoded(event));
    }
    const listener = (event: VigilEvent): void => {
      if (wanted(event.type)) sse.sendFrame(encoded(event));
    };
    deps.bus.on('event', listener);
    sse.onClose(() => deps.bus.off('event', listener));
  });
}

/** Each event's SSE frame is encoded once, and the same bytes go to every client. */
const encodings = new WeakMap<VigilEvent, Buffer>();
function encoded(event: VigilEvent): Buffer {
  let frame = encodings.get(event);
  if (frame === undefined) {
    frame = Buffer.from(sseFrame(event.type, JSON.stringify(event), event.id), 'utf8');
    encodings.set(event, frame);
  }
  return frame;
}

/** The engine's answer as the client gets it when it fails before the stream has begun. */
function refused(err: unknown, name: string): HttpError {
  if ((err as { statusCode?: number }).statusCode === 404)
    return new HttpError(404, `container ${name} no longer exists`);
  return engineHttpError(err);
}

interface LogsDeps {
  engine: ContainerEngine;
  pump: LogPump;
  logger: Logger;
}

/** A log read to its end (follow=false): a request of its own, paused while the client is slow. */
async function readLogs(
  sse: SseChannel,
  record: { id: string; name: string; tty: boolean },
  query: LogsQuery,
  deps: LogsDeps,
): Promise<void> {
  const abort = new AbortController();
  // registered before the engine is asked: a client that leaves while a hung engine keeps it waiting
  // takes its engine call with it, instead of leaving a socket open until the engine answers
  sse.onClose(() => abort.abort());
  let source;
  try {
    source = await deps.engine.logs(record.id, query, abort.signal);
  } catch (err) {
    if (sse.closed) return;
    sse.close();
    throw refused(err, record.name);
  }
  if (sse.closed) {
    source.destroy();
    return;
  }
  const parser = createLogParser(record.tty);
  let paused = false;
  const forward = (lines: LogLine[]): void => {
    if (lines.length === 0 || sse.closed) return;
    // a slow client pauses the engine's stream instead of piling lines up in memory
    if (!sse.sendFrame(logFrames(batchOf(lines))) && !paused && !sse.closed) {
      paused = true;
      source.pause();
      sse.onDrain(() => {
        paused = false;
        source.resume();
      });
    }
  };
  sse.onClose(() => source.destroy());
  source.on('data', (chunk: Buffer) => forward(parser.push(chunk)));
  source.on('error', (err: Error) => {
    if (!sse.closed)
      deps.logger.warn({ container: record.name, err: err.message }, 'log stream from the engine failed');
  });
  source.on('close', () => {
    if (sse.closed) return;
    forward(parser.end());
    sse.send('end', { reason: 'complete' });
    sse.close();
  });
}

/** A followed log: one of the container's followers in the pump, cut with a reason if it falls behind. */
async function followLogs(
  sse: SseChannel,
  record: { id: string; name: string; tty: boolean },
  query: LogsQuery,
  deps: LogsDeps,
): Promise<void> {
  const follow = deps.pump.follow(
    record,
    { tail: query.tail, ...(query.sinceSeconds !== undefined ? { sinceSeconds: query.sinceSeconds } : {}) },
    {
      deliver: (batch) => {
        const ok = sse.sendFrame(logFrames(batch));
        if (!ok && !sse.closed) sse.onDrain(() => follow.resume());
        return ok;
      },
      end: (end) => {
        if (end.reason.startsWith('too slow')) return sse.cut(end.reason);
        sse.send('end', end);
        sse.close();
      },
    },
  );
  sse.alsoHolds(() => follow.buffered);
  sse.onClose(() => follow.close());
  try {
    await follow.ready;
  } catch (err) {
    if (sse.closed) return;
    sse.close();
    throw refused(err, record.name);
  }
}

/** A batch's SSE frames, encoded once and the same bytes written to every follower. */
const batchFrames = new WeakMap<LogBatch, Buffer>();
function logFrames(batch: LogBatch): Buffer {
  let frames = batchFrames.get(batch);
  if (frames === undefined) {
    frames = Buffer.from(batch.lines.map((line) => sseFrame('log', JSON.stringify(line))).join(''), 'utf8');
    batchFrames.set(batch, frames);
  }
  return frames;
}
