import type { Middleware } from 'koa';
import type { Logger } from 'pino';

/** An error whose message is meant for the client; `status` below 500 is the client's mistake. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The body every client error is answered with, over HTTP and NATS alike. */
export function errorBody(err: HttpError): { error: Record<string, unknown> } {
  return { error: { status: err.status, message: err.message, ...err.details } };
}

/**
 * Every failure becomes JSON `{ error: { status, message, ... } }`. A client's mistake is logged at
 * info (it is not vigil's fault and must not page anyone); only a server failure is logged as an error.
 */
export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new HttpError(404, `no route for ${ctx.method} ${ctx.path}`);
      }
    } catch (err) {
      const e = err as Error & { status?: number; expose?: boolean };
      const status = err instanceof HttpError ? err.status : typeof e.status === 'number' && e.status >= 400 && e.status < 600 ? e.status : 500;
      const message = err instanceof HttpError || (e.expose && status < 500) ? e.message : 'internal error';
      ctx.status = status;
      ctx.body = errorBody(err instanceof HttpError ? err : new HttpError(status, message));
      const log = { method: ctx.method, path: ctx.path, status };
      if (status >= 500) logger.error({ ...log, err }, 'request failed');
      else logger.info({ ...log, reason: message }, 'request rejected');
    }
  };
}
