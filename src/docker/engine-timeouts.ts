// Bounds on how long vigil waits for the engine, apart from the adapter that makes the calls
// (engine.ts): a frozen engine accepts connections and never answers, and without a bound every call
// made meanwhile holds a socket until it thaws.

/** How long a read (inspect, list, info, stats, the answer to a log request) may wait for a hung engine. */
export const ENGINE_READ_TIMEOUT_MS = 30_000;

/** The signal a read is made with: aborted by the caller's own signal, or when the engine takes too long. */
function readSignal(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/** An abort by the read timeout, said as what it is (the engine did not answer), not "operation aborted". */
export function timedOut(err: unknown, signal: AbortSignal, timeoutMs: number): Error {
  if (signal.aborted && (signal.reason as { name?: string } | undefined)?.name === 'TimeoutError')
    return Object.assign(new Error(`the engine did not answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' });
  return err as Error;
}

/** Runs one read bounded by the timeout (and the caller's signal); a timeout rejects as ETIMEDOUT. */
export async function boundedRead<T>(
  call: (opts: { abortSignal: AbortSignal }) => Promise<T>,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): Promise<T> {
  const bounded = readSignal(signal, timeoutMs);
  try {
    return await call({ abortSignal: bounded });
  } catch (err) {
    throw timedOut(err, bounded, timeoutMs);
  }
}

/**
 * The signal a stream is opened with: aborted by the caller's own, or when the engine has not answered
 * within the read timeout. `answered()` lifts the timeout once it has: the stream itself may last.
 */
export function streamSignal(signal: AbortSignal, timeoutMs: number): { signal: AbortSignal; answered(): void } {
  const dial = new AbortController();
  const abort = (reason: unknown) => dial.abort(reason);
  if (signal.aborted) abort(signal.reason);
  else signal.addEventListener('abort', () => abort(signal.reason), { once: true });
  const timeout = AbortSignal.timeout(timeoutMs);
  const waiting = () => abort(timeout.reason);
  timeout.addEventListener('abort', waiting, { once: true });
  return { signal: dial.signal, answered: () => timeout.removeEventListener('abort', waiting) };
}
