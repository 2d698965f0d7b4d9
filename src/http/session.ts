import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Browser sessions for the page. A browser's EventSource and WebSocket cannot send an Authorization
 * header, so a person signs in once with the API token and gets a cookie: `<expiry>.<hmac>`, signed
 * with a key derived from the token (changing the token ends every session; a restart of vigil does
 * not). State-changing requests made with the cookie must also carry `x-vigil-csrf`, a second HMAC of
 * the same expiry that the page gets when it signs in: another site can make a browser send the cookie
 * (SameSite=Strict already stops most of that) but can neither read nor compute this value.
 */

export const SESSION_COOKIE = 'vigil_session';
export const CSRF_HEADER = 'x-vigil-csrf';
export const SESSION_SECONDS = 12 * 3600;

const keyOf = (token: string) => createHash('sha256').update(`vigil-session:${token}`).digest();
const mac = (token: string, purpose: string, expiry: number) =>
  createHmac('sha256', keyOf(token)).update(`${purpose}:${expiry}`).digest('base64url');

/** Pure: a new session's cookie value and its CSRF value. */
export function newSession(token: string, nowSeconds: number): { cookie: string; csrf: string; expiry: number } {
  const expiry = Math.floor(nowSeconds) + SESSION_SECONDS;
  return { cookie: `${expiry}.${mac(token, 'session', expiry)}`, csrf: mac(token, 'csrf', expiry), expiry };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Pure: the session a cookie value proves, or null (forged, expired, malformed). */
export function verifySession(
  value: string | undefined,
  token: string,
  nowSeconds: number,
): { expiry: number; csrf: string } | null {
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '');
  if (!match) return null;
  const expiry = Number(match[1]);
  if (expiry <= nowSeconds || expiry > nowSeconds + SESSION_SECONDS + 60) return null;
  if (!same(match[2]!, mac(token, 'session', expiry))) return null;
  return { expiry, csrf: mac(token, 'csrf', expiry) };
}

/** Pure: whether a request's CSRF header belongs to its session. */
export function csrfMatches(header: string | undefined, session: { csrf: string }): boolean {
  return header !== undefined && same(header, session.csrf);
}

/** Pure: the value of one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}
