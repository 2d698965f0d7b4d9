/**
 * Pure: how long to wait before the next sweep so that sweeps keep clear of the scrapes. Prometheus
 * scrapes a target at a fixed phase of its interval; a sweep (and the rendering and gzip that follow
 * it) that a scrape meets holds that scrape up for as long as Prometheus's own work takes. Sweeps are
 * moved towards half an interval after the scrapes' phase, at most a quarter of an interval per sweep,
 * so that the average interval stays the configured one (and, with one scraper at the same interval,
 * the interval itself does, once the phase is reached).
 *
 * `lastScrapeAt` null (nobody scrapes): the plain interval.
 */
export function sweepDelay(now: number, intervalMs: number, lastScrapeAt: number | null): number {
  if (lastScrapeAt === null) return intervalMs;
  const mid = lastScrapeAt + intervalMs / 2;
  // the wait, within [0, interval), until the next moment at half an interval from the scrapes' phase
  const toMid = (((mid - now) % intervalMs) + intervalMs) % intervalMs;
  // of toMid and toMid + interval, the nearer to one interval
  const nearest = toMid < intervalMs / 2 ? toMid + intervalMs : toMid;
  const step = intervalMs / 4;
  return Math.min(intervalMs + step, Math.max(intervalMs - step, nearest));
}
