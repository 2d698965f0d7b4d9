/**
 * Pure: when each container's exec probe runs. Each container has a fixed phase within its interval,
 * from its id, so that 200 containers with a 30 s interval spread over the 30 s instead of running
 * together (and the phase stays where it was across restarts of vigil).
 */

/** Pure: a container's phase within an interval, in [0, intervalMs), from its id (FNV-1a). */
export function phaseOf(id: string, intervalMs: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return intervalMs > 0 ? hash % intervalMs : 0;
}

/** Pure: the next time after `now` (ms) in the container's phase: `phase + k * interval` for a whole k. */
export function nextRunAt(id: string, intervalMs: number, now: number): number {
  const phase = phaseOf(id, intervalMs);
  const k = Math.floor((now - phase) / intervalMs) + 1;
  return phase + k * intervalMs;
}
