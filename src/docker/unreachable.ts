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

/** What a new connection to the engine met: it was taken, refused (the engine is going), or neither was told. */
export type NewConnectionVerdict = 'accepted' | 'refused' | 'unknown';

/**
 * Pure: the verdict of a failed ping over a new connection. Refused: the socket is gone or refuses,
 * or a proxy in front of the engine (a docker socket proxy) says its upstream is gone (502, 503). A
 * timeout or any other answer tells nothing: a busy engine is not a closing one.
 */
export function newConnectionVerdict(err: unknown): NewConnectionVerdict {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (status === 502 || status === 503) return 'refused';
  return engineWentAway(err) ? 'refused' : 'unknown';
}
