import test from 'ava';
import { mergeFeed } from '../../web/src/feed.js';
import type { FeedEvent } from '../../web/src/texts.js';

const ev = (id: number, type = 'container.state'): FeedEvent => ({
  id,
  type,
  time: '2026-12-01T10:00:00.000Z',
  data: {},
});

test('the feed holds each event once, newest first, whether it came on load or again on a reconnect', (t) => {
  const loaded = mergeFeed([], [ev(1), ev(2), ev(3)]);
  const again = mergeFeed(loaded, [ev(2), ev(3), ev(4)]);
  t.deepEqual(
    again.map((e) => e.id),
    [4, 3, 2, 1],
  );
});

test('the feed keeps the kinds a person follows there, and the newest few', (t) => {
  const feed = mergeFeed([], [ev(1, 'alert'), ev(2, 'recovery.action'), ev(3), ev(4)], 2);
  t.deepEqual(
    feed.map((e) => e.id),
    [4, 3],
  );
});
