/**
 * A reading shared by every collector of one collection: prom-client calls each metric's collect() in
 * the same synchronous turn when a registry is collected (metrics() and getMetricsAsJSON() both map over
 * the metrics before their first await), so a value read once and forgotten at the end of that turn is
 * one read per collection however many families show it. The recovery states and the channels' health
 * are SQLite reads: read per family they were 3 and 4 queries a scrape.
 *
 * `endOfTurn` is queueMicrotask in vigil; tests hand their own to end a turn when they choose.
 */
export function perCollection<T>(read: () => T, endOfTurn: (forget: () => void) => void = queueMicrotask): () => T {
  let held: { value: T } | null = null;
  return () => {
    if (held) return held.value;
    held = { value: read() };
    endOfTurn(() => (held = null));
    return held.value;
  };
}
