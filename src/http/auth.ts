import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import type { SessionRevocations } from '../store/revoked-sessions.js';
import { HttpError } from './errors.js';
import { cookieValue, CSRF_HEADER, csrfMatches, SESSION_COOKIE, verifySession } from './session.js';

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

/**
 * Whether a request (HTTP or a WebSocket upgrade) is signed in: the bearer token, or a valid session
 * cookie that was not signed out.
 */
export function authenticated(
  headers: { authorization?: string | undefined; cookie?: string | undefined },
  token: string,
  sessions: Pick<SessionRevocations, 'revoked'>,
  nowSeconds = Date.now() / 1000,
): { by: 'bearer' } | { by: 'session'; csrf: string; cookie: string; expiry: number } | null {
  if (bearerMatches(headers.authorization, token)) return { by: 'bearer' };
  const cookie = cookieValue(headers.cookie, SESSION_COOKIE);
  const session = verifySession(cookie, token, nowSeconds);
  if (!session || sessions.revoked(cookie!)) return null;
  return { by: 'session', csrf: session.csrf, cookie: cookie!, expiry: session.expiry };
}

/**
 * The API's guard when a token is configured: the bearer header (scripts, Prometheus, Alertmanager)
 * or the page's session cookie; a change made with the cookie must carry the CSRF header too.
 */
export function requireAuth(token: string | undefined, sessions: Pick<SessionRevocations, 'revoked'>): Middleware {
  return async (ctx, next) => {
    if (token !== undefined) {
      const headers = { authorization: ctx.get('authorization'), cookie: ctx.get('cookie') };
      const who = authenticated(headers, token, sessions);
      if (!who) {
        ctx.set('WWW-Authenticate', 'Bearer realm="vigil"');
        const message = ctx.get('authorization')
          ? 'invalid bearer token'
          : 'missing bearer token: send "Authorization: Bearer <token>", or sign in on the page';
        throw new HttpError(401, message);
      }
      const changes = !['GET', 'HEAD', 'OPTIONS'].includes(ctx.method);
      if (who.by === 'session' && changes && !csrfMatches(ctx.get(CSRF_HEADER) || undefined, who)) {
        throw new HttpError(
          403,
          `a change made with the session cookie needs the ${CSRF_HEADER} header the page was given`,
        );
      }
    }
    await next();
  };
}
