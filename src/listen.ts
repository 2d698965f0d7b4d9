/** Anything with Node's on/off, typed events or not. */
interface Emitter {
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
}

/**
 * Subscribes each handler to its event and returns what unsubscribes them all, so that a part's
 * start and stop cannot drift apart.
 */
export function listen(emitter: Emitter, handlers: Record<string, (...args: never[]) => void>): () => void {
  const entries = Object.entries(handlers);
  for (const [event, handler] of entries) emitter.on(event, handler);
  return () => {
    for (const [event, handler] of entries) emitter.off(event, handler);
  };
}
