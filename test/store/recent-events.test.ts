import test from 'ava';
import fc from 'fast-check';
import { pino } from 'pino';
import { openStore } from '../../src/store/db.js';
import { mergeRecent, RecentEventStore } from '../../src/store/recent-events.js';
import { EventBus, type VigilEvent } from '../../src/streams/event-bus.js';
import { someDelivered, someEvent } from '../helpers/events.js';
import { tempDir } from '../helpers/temp-dir.js';

const silent = pino({ level: 'silent' });

test('events outlive a restart of vigil and are kept to the latest few', (t) => {
  const dir = tempDir(t, 'recent');
  const db = openStore(dir);
  const bus = new EventBus(100, 1);
  const store = new RecentEventStore(db, silent, 5);
  const unfollow = store.follow(bus);
  for (let i = 0; i < 8; i++)
    bus.publish(someEvent('container.state', { from: 'running', to: 'exited', exitCode: i }, { id: 'a', name: 'web' }));
  unfollow();
  db.close();
  const again = openStore(dir);
  t.teardown(() => again.close());
  const kept = new RecentEventStore(again, silent, 5).latest(10);
  t.deepEqual(
    kept.map((e) => (e.type === 'container.state' ? e.data.exitCode : null)),
    [3, 4, 5, 6, 7],
  );
  t.is(kept[0]!.type, 'container.state');
});

test('the store and the ring merged: each event once, oldest first, the latest `limit`', (t) => {
  const event = (id: number): VigilEvent =>
    someDelivered('container.state', { from: 'running', to: 'exited' }, { id, time: new Date(id).toISOString() });
  const ids = fc.uniqueArray(fc.integer({ min: 1, max: 200 }), { maxLength: 40 });
  t.notThrows(() =>
    fc.assert(
      fc.property(ids, ids, fc.integer({ min: 1, max: 50 }), (a, b, limit) => {
        const merged = mergeRecent(a.map(event), b.map(event), limit).map((e) => e.id);
        const expected = [...new Set([...a, ...b])].sort((x, y) => x - y).slice(-limit);
        return JSON.stringify(merged) === JSON.stringify(expected);
      }),
    ),
  );
});
