import type { Middleware } from 'koa';
import { HttpError } from './errors.js';
import { type HostPolicy, requestRefusal } from './request-guard.js';

/**
 * Every request, before any route: a Host vigil does not answer as, and a change sent by a page of
 * another site or with a body that is not JSON, are refused here (request-guard.ts decides), so that
 * every route that changes something, now or later, is covered without a check of its own.
 */
export function guardRequests(policy: HostPolicy): Middleware {
  return async (ctx, next) => {
    const refusal = requestRefusal(ctx.method, ctx.headers as Record<string, string | undefined>, policy);
    if (refusal) {
      // the body is not read: answer and close, so that a large one is not waited for
      if (refusal.status !== 421) ctx.set('Connection', 'close');
      throw new HttpError(refusal.status, refusal.message);
    }
    await next();
  };
}
