/** Error codes of a call that never reached the engine, or lost it midway. */
const goneCodes = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'EHOSTUNREACH']);

/**
 * Pure: whether an engine call failed because the engine went away (its socket is gone or refuses,
 * the connection hung up midway), rather than because the engine refused or failed the request. Such a
 * failure says nothing about the container, so it is never charged to the container's backoff.
 */
export function engineWentAway(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown; cause?: unknown };
  if (typeof e.statusCode === 'number') return false;
  if (typeof e.code === 'string' && goneCodes.has(e.code)) return true;
  if (typeof e.message === 'string' && /socket hang up|connect ECONNREFUSED|connect ENOENT/.test(e.message))
    return true;
  return e.cause !== undefined && e.cause !== err && engineWentAway(e.cause);
}

/**
 * What a new connection to the engine met: taken and answered; refused (the engine's own listener is
 * closed); unanswered (made, then hung up on or left without an answer: a socket held open by another
 * process, as systemd's docker.socket is, once dockerd no longer serves it); or nothing that tells.
 */
export type NewConnectionVerdict = 'accepted' | 'refused' | 'unanswered' | 'unknown';

const refusedCodes = new Set(['ECONNREFUSED', 'ENOENT']);
const hungUpCodes = new Set(['ECONNRESET', 'EPIPE']);

function codesOf(err: unknown): string[] {
  if (typeof err !== 'object' || err === null) return [];
  const e = err as { code?: unknown; message?: unknown; cause?: unknown };
  const own = typeof e.code === 'string' ? [e.code] : [];
  if (typeof e.message === 'string' && /socket hang up/.test(e.message)) own.push('ECONNRESET');
  return e.cause !== undefined && e.cause !== err ? [...own, ...codesOf(e.cause)] : own;
}

/**
 * Pure: the verdict of a failed ping over a new connection. Only what no live engine does counts: the
 * socket gone or refusing, a proxy in front of it saying its upstream is gone (502), or a connection
 * made and then hung up on or left unanswered until the timeout (a live dockerd answers /_ping without
 * taking a lock). Any other answer (a 503 of a throttling proxy among them), or no connection made in
 * time, tells nothing.
 */
export function newConnectionVerdict(
  err: unknown,
  { connected, timedOut }: { connected: boolean; timedOut: boolean },
): NewConnectionVerdict {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (status === 502) return 'refused';
  if (typeof status === 'number') return 'unknown';
  const codes = codesOf(err);
  if (codes.some((c) => refusedCodes.has(c))) return 'refused';
  if (connected && (timedOut || codes.some((c) => hungUpCodes.has(c)))) return 'unanswered';
  return 'unknown';
}
