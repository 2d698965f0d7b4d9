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
