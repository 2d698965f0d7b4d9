import type { IncomingMessage } from 'node:http';
import type { SessionRevocations } from '../../store/revoked-sessions.js';
import { authenticated } from '../auth.js';
import type { GuessLimiter } from '../guess-limiter.js';
import { hostRefusal, originRefusal, type HostPolicy } from '../request-guard.js';

export const WS_PATH = '/api/v1/ws';

export interface UpgradeGate {
  apiToken: string | undefined;
  guesses: GuessLimiter;
  hostPolicy: HostPolicy;
  sessions: Pick<SessionRevocations, 'revoked'>;
}

/**
 * Why a WebSocket upgrade is refused, or null to take it: the path, the Host and the origin (as on
 * every HTTP request: request-guard.ts), the token, and the guesses of the address (wrong tokens
 * count here as on the HTTP API, against the same limiter).
 */
export function upgradeRefusal(req: IncomingMessage, gate: UpgradeGate): { status: number; message: string } | null {
  const { apiToken, guesses } = gate;
  const path = (req.url ?? '').split('?')[0];
  if (path !== WS_PATH)
    return { status: 404, message: `no WebSocket at ${String(path).slice(0, 200)}; use ${WS_PATH}` };
  const host = hostRefusal(req.headers.host, gate.hostPolicy);
  if (host) return host;
  // a browser always sends Origin: a page of another site may not open the live socket (its cookie
  // would not come along anyway, but without a token there is no cookie to need)
  const origin = originRefusal(req.headers, gate.hostPolicy);
  if (origin) return { status: 403, message: `a WebSocket from another site: ${origin.message}` };
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
  if (authenticated(req.headers, apiToken, gate.sessions)) return null;
  if (guess) guesses.failed(client);
  return { status: 401, message: 'missing or invalid bearer token' };
}
