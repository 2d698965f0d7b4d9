import type { Router } from '@koa/router';
import { mergeRecent, RECENT_EVENTS_KEPT } from '../../store/recent-events.js';
import type { EventBus, VigilEvent } from '../../streams/event-bus.js';
import type { RecentEventsAnswer } from '../api-types.js';
import { HttpError } from '../errors.js';

export const RECENT_DEFAULT = 100;

/** Pure: `limit`, a whole number from 1 to RECENT_EVENTS_KEPT, 100 when absent; anything else null. */
export function parseLimit(value: unknown): number | null {
  if (value === undefined) return RECENT_DEFAULT;
  if (typeof value !== 'string' || !/^\d{1,4}$/.test(value)) return null;
  const n = Number(value);
  return n >= 1 && n <= RECENT_EVENTS_KEPT ? n : null;
}

/**
 * GET /api/v1/events/recent?limit=N: the latest events, oldest first, from the store (so that they
 * outlive a restart) and the bus's ring (what the store has not written yet), each once.
 */
export function recentEventRoutes(
  router: Router,
  deps: { bus: EventBus; stored?: { latest(limit: number): VigilEvent[] } },
): void {
  router.get('/api/v1/events/recent', (ctx) => {
    const limit = parseLimit(ctx.query.limit);
    if (limit === null)
      throw new HttpError(400, `limit must be a whole number from 1 to ${RECENT_EVENTS_KEPT}`, { parameter: 'limit' });
    const ring = deps.bus.since(0).events;
    const body: RecentEventsAnswer = { events: mergeRecent(deps.stored?.latest(limit) ?? [], ring, limit) };
    ctx.body = body;
  });
}
