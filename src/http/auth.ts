import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { HttpError } from './errors.js';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Pure: whether an Authorization header carries the token; hashing first makes the comparison
 * constant-time whatever the lengths.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!), digest(token));
}

/** Requires the bearer token when one is configured; with none, vigil listens on loopback only (see config). */
export function requireBearer(token: string | undefined): Middleware {
  return async (ctx, next) => {
    if (token !== undefined) {
      if (!ctx.get('authorization')) {
        ctx.set('WWW-Authenticate', 'Bearer realm="vigil"');
        throw new HttpError(401, 'missing bearer token: send "Authorization: Bearer <token>"');
      }
      if (!bearerMatches(ctx.get('authorization'), token)) {
        ctx.set('WWW-Authenticate', 'Bearer realm="vigil", error="invalid_token"');
        throw new HttpError(401, 'invalid bearer token');
      }
    }
    await next();
  };
}
