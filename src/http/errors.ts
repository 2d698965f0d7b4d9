import { problemBody } from '../problem.js';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';

/** An error whose message is meant for the client; `status` below 500 is the client's mistake. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** How loud the log line is: a client's doing is never an error, and neither is the engine's. */
    readonly logLevel: 'debug' | 'info' | 'warn' | 'error' = status >= 500 ? 'error' : 'info',
  ) {
    super(message);
  }
}

/** The body every client error is answered with, over HTTP and NATS alike. */
export function errorBody(err: HttpError): { error: Record<string, unknown> } {
  return problemBody(err);
}

const unreachable = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ABORT_ERR',
]);

/**
 * Pure: an error from the engine as the client should see it. The engine refusing what the client
 * asked (a 4xx) is the client's 400 (404 stays 404); the engine failing is a 502, and an engine that
 * cannot be reached a 503, each naming the engine: never vigil's "internal error".
 */
export function engineHttpError(err: unknown): HttpError {
  const e = err as { statusCode?: number; json?: { message?: string } | null; message?: string; code?: string };
  const message = (e.json?.message ?? e.message ?? String(err)).slice(0, 300);
  if (typeof e.statusCode === 'number') {
    if (e.statusCode === 404) return new HttpError(404, `the engine has no such object: ${message}`);
    if (e.statusCode >= 400 && e.statusCode < 500)
      return new HttpError(400, `the engine refused the request: ${message}`);
    return new HttpError(502, `the Docker engine failed: ${message}`, {}, 'warn');
  }
  if (e.code && unreachable.has(e.code))
    return new HttpError(503, `cannot reach the Docker engine: ${message}`, {}, 'warn');
  return new HttpError(502, `the Docker engine failed: ${message}`, {}, 'warn');
}

/** The longest path and query string served; anything longer is a client's mistake (414). */
const MAX_PATH = 2048;
const MAX_QUERY = 4096;

/**
 * Every failure becomes JSON `{ error: { status, message, ... } }`. A client's mistake is logged at
 * info or below (it is not vigil's fault and must not page anyone); only vigil's own failure is an error.
 */
export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      if (ctx.path.length > MAX_PATH) throw new HttpError(414, `the path is longer than ${MAX_PATH} characters`);
      if (ctx.querystring.length > MAX_QUERY)
        throw new HttpError(414, `the query string is longer than ${MAX_QUERY} characters`);
      await next();
      // the routers answer a method they do not serve with 405 or 501 and an Allow header, and no body
      if ((ctx.status === 405 || ctx.status === 501) && ctx.body == null) {
        const allow = ctx.response.get('Allow');
        if (!allow) throw new HttpError(404, `no route for ${ctx.method.slice(0, 20)} ${ctx.path}`);
        throw new HttpError(405, `method ${ctx.method.slice(0, 20)} is not allowed on ${ctx.path}; allowed: ${allow}`);
      }
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new HttpError(404, `no route for ${ctx.method.slice(0, 20)} ${ctx.path}`);
      }
    } catch (err) {
      const e = err as Error & { status?: number; expose?: boolean };
      const status =
        err instanceof HttpError
          ? err.status
          : typeof e.status === 'number' && e.status >= 400 && e.status < 600
            ? e.status
            : 500;
      const message = err instanceof HttpError || (e.expose && status < 500) ? e.message : 'internal error';
      const httpError = err instanceof HttpError ? err : new HttpError(status, message);
      ctx.status = status;
      ctx.body = errorBody(httpError);
      const retryAfter = httpError.details.retryAfterSeconds;
      if (typeof retryAfter === 'number') ctx.set('Retry-After', String(retryAfter));
      const log = { method: ctx.method.slice(0, 20), path: ctx.path.slice(0, 200), status };
      // a client that went away mid-request did it; there is no one left to answer
      const clientGone = ctx.req.destroyed && !ctx.req.complete;
      const level = clientGone ? 'debug' : httpError.logLevel;
      if (level === 'error') logger.error({ ...log, err }, 'request failed');
      else
        logger[level]({ ...log, reason: message }, status >= 500 ? 'request failed outside vigil' : 'request rejected');
    }
  };
}
