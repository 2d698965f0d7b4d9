import type { Router } from '@koa/router';
import { authenticated, bearerMatches } from '../auth.js';
import { readJsonBody } from '../body.js';
import { HttpError } from '../errors.js';
import { newSession, SESSION_COOKIE, SESSION_SECONDS } from '../session.js';
import type { SessionRevocations } from '../../store/revoked-sessions.js';

/**
 * Signing in and out of the page. GET says whether a token is needed and whether this browser is
 * signed in (and gives its CSRF value again after a reload); POST {token} signs in; DELETE signs out:
 * the cookie is refused from then on, not only deleted in this browser (a copy of it would outlive that).
 */
export function sessionRoutes(router: Router, token: string | undefined, sessions: SessionRevocations): void {
  router.get('/api/v1/session', (ctx) => {
    if (token === undefined) {
      ctx.body = { required: false, signedIn: true };
      return;
    }
    const who = authenticated({ authorization: ctx.get('authorization'), cookie: ctx.get('cookie') }, token, sessions);
    ctx.body = { required: true, signedIn: who !== null, ...(who?.by === 'session' ? { csrf: who.csrf } : {}) };
  });

  router.post('/api/v1/session', async (ctx) => {
    if (token === undefined)
      throw new HttpError(400, 'vigil has no API token (VIGIL_API_TOKEN), so there is nothing to sign in to');
    const body = await readJsonBody(ctx, 4096);
    const given = (body as { token?: unknown } | null)?.token;
    if (typeof given !== 'string' || given.length === 0 || given.length > 1024) {
      throw new HttpError(400, 'send {"token": "<the API token>"}');
    }
    if (!bearerMatches(`Bearer ${given}`, token)) throw new HttpError(401, 'that is not the API token');
    const session = newSession(token, Date.now() / 1000);
    ctx.cookies.set(SESSION_COOKIE, session.cookie, {
      httpOnly: true,
      sameSite: 'strict',
      secure: ctx.secure,
      maxAge: SESSION_SECONDS * 1000,
      path: '/',
      overwrite: true,
    });
    ctx.body = { signedIn: true, csrf: session.csrf, expiresAt: new Date(session.expiry * 1000).toISOString() };
  });

  router.delete('/api/v1/session', (ctx) => {
    if (token !== undefined) {
      const who = authenticated({ cookie: ctx.get('cookie') }, token, sessions);
      if (who?.by === 'session') sessions.revoke(who.cookie, who.expiry);
    }
    ctx.cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', maxAge: 0, path: '/', overwrite: true });
    ctx.status = 204;
  });
}
