// Pure: the live feed's list. It is filled from the recent events on load and then from the socket, which
// sends the recent ones again on every reconnect: each event is held once, by its id.

import type { FeedEvent } from './texts.js';

/** The most events the feed shows. */
export const FEED = 50;
const FEED_TYPES = /^(container|recovery|resource|incident)\./;

/** Pure: the feed after more events: each once, newest first, only the kinds a person follows there. */
export function mergeFeed(feed: readonly FeedEvent[], more: readonly FeedEvent[], max = FEED): FeedEvent[] {
  const byId = new Map(feed.map((e) => [e.id, e]));
  for (const e of more) if (FEED_TYPES.test(e.type)) byId.set(e.id, e);
  return [...byId.values()].sort((a, b) => b.id - a.id).slice(0, max);
}
