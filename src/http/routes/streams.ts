import type { Router } from '@koa/router';
import type { Logger } from 'pino';
import type { ContainerEngine } from '../../docker/engine.js';
import { createLogParser, type LogLine } from '../../docker/parse/logs.js';
import type { EventBus, VigilEvent } from '../../streams/event-bus.js';
import { engineHttpError, HttpError } from '../errors.js';
import type { StreamLimits } from '../stream-limits.js';
import { openSse } from '../sse.js';
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
  deps: { engine: ContainerEngine; containers: ContainersSource; bus: EventBus; logger: Logger },
  options: StreamOptions,
): void {
  router.get('/api/v1/containers/:id/logs', async (ctx) => {
    const entry = findContainer(ctx.params.id!, deps.containers);
    const query = parseLogsQuery(ctx.query, options.logsTailCap, options.logsDefaultTail);
    const { id, name, tty } = entry.record;
    const abort = new AbortController();
    // admitted before the engine is asked: a client past the limits costs the engine nothing
    const sse = openSse(ctx, options.heartbeatMs, options.limits);
    let source;
    try {
      source = await deps.engine.logs(id, query, abort.signal);
    } catch (err) {
      sse.close();
      if ((err as { statusCode?: number }).statusCode === 404)
        throw new HttpError(404, `container ${name} no longer exists`);
      throw engineHttpError(err);
    }
    if (sse.closed) {
      source.destroy();
      return;
    }
    const parser = createLogParser(tty);
    let paused = false;
    const forward = (lines: LogLine[]): void => {
      for (const line of lines) {
        // a slow client pauses the engine's stream instead of piling lines up in memory
        if (!sse.send('log', line) && !paused) {
          paused = true;
          source.pause();
          sse.onDrain(() => {
            paused = false;
            source.resume();
          });
        }
      }
    };
    sse.onClose(() => {
      abort.abort();
      source.destroy();
    });
    source.on('data', (chunk: Buffer) => forward(parser.push(chunk)));
    source.on('error', (err: Error) => {
      if (!sse.closed) deps.logger.warn({ container: name, err: err.message }, 'log stream from the engine failed');
    });
    source.on('close', () => {
      if (sse.closed) return;
      forward(parser.end());
      void endReason(deps.engine, id, query.follow).then((reason) => {
        sse.send('end', reason);
        sse.close();
      });
    });
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
    frame = Buffer.from(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`, 'utf8');
    encodings.set(event, frame);
  }
  return frame;
}

/** Why a log stream ended: the client asked for no more, or the container stopped or went away. */
async function endReason(engine: ContainerEngine, id: string, follow: boolean): Promise<Record<string, unknown>> {
  if (!follow) return { reason: 'complete' };
  const record = await engine.inspect(id).catch(() => undefined);
  if (record === null) return { reason: 'container removed' };
  if (record && record.state !== 'running')
    return { reason: 'container stopped', state: record.state, exitCode: record.exitCode };
  return { reason: 'the engine closed the stream' };
}
