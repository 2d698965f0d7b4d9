import test from 'ava';
import { mergeFeed } from '../../web/src/feed.js';
import type { FeedEvent } from '../../web/src/texts.js';

const time = '2026-12-01T10:00:00.000Z';
const container = { id: 'abc', name: 'web' };
const ev = (id: number): FeedEvent => ({
  id,
  time,
  container,
  type: 'container.state',
  data: { from: 'running', to: 'exited' },
});
const alert = (id: number): FeedEvent => ({
  id,
  time,
  type: 'alert',
  data: {
    status: 'firing',
    alertname: 'HighLoad',
    severity: 'warning',
    fingerprint: 'f',
    startsAt: time,
    summary: '',
    description: '',
    labels: {},
    vigil: { action: null, note: '' },
  },
});
const action = (id: number): FeedEvent => ({
  id,
  time,
  container,
  type: 'recovery.action',
  data: { action: 'restart', reason: 'unhealthy', outcome: 'success', counted: true },
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
  const feed = mergeFeed([], [alert(1), action(2), ev(3), ev(4)], 2);
  t.deepEqual(
    feed.map((e) => e.id),
    [4, 3],
  );
});
