import type { IncomingMessage } from 'node:http';
import { authenticated } from '../auth.js';
import type { GuessLimiter } from '../guess-limiter.js';
import { sameOrigin } from './protocol.js';

export const WS_PATH = '/api/v1/ws';

/**
 * Why a WebSocket upgrade is refused, or null to take it: the path, the origin, the token, and the
 * guesses of the address (wrong tokens count here as on the HTTP API, against the same limiter).
 */
export function upgradeRefusal(
  req: IncomingMessage,
  apiToken: string | undefined,
  guesses: GuessLimiter,
): { status: number; message: string } | null {
  const path = (req.url ?? '').split('?')[0];
  if (path !== WS_PATH)
    return { status: 404, message: `no WebSocket at ${String(path).slice(0, 200)}; use ${WS_PATH}` };
  // a browser always sends Origin: a page of another site may not open the live socket (its cookie
  // would not come along anyway, but without a token there is no cookie to need)
  if (!sameOrigin(req.headers.origin, req.headers.host))
    return { status: 403, message: 'a WebSocket from another origin' };
  if (apiToken === undefined) return null;
  const client = req.socket.remoteAddress ?? 'unknown';
  const guess = req.headers.authorization !== undefined;
  const waitMs = guess ? guesses.retryAfterMs(client) : 0;
  if (waitMs > 0) {
    return {
      status: 429,
      message: `too many wrong tokens from this address; try again in ${Math.ceil(waitMs / 1000)} s`,
    };
  }
  if (authenticated(req.headers, apiToken)) return null;
  if (guess) guesses.failed(client);
  return { status: 401, message: 'missing or invalid bearer token' };
}
