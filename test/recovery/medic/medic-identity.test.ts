import test from 'ava';
import { pino } from 'pino';
import { containerKey } from '../../../src/recovery/identity.js';
import { PersonActions } from '../../../src/recovery/intent/person-actions.js';
import { EventBus } from '../../../src/streams/event-bus.js';
import { medicHarness } from '../../helpers/medic-harness.js';

// The medic's correctness under an engine crash, a full store and a container's identity (issue 20), on
// the fake engine and a fake clock. Fake timers are global, so every test here is serial.
const heal = { 'vigil.autoheal': 'true' };
const bootGraceMs = 2000;

test.serial(
  "an engine crash: its restore's SIGTERMs are not a person's stop, everything comes back, and the interrupted restart is no attempt",
  async (t) => {
    const h = await medicHarness();
    t.teardown(() => h.close());
    const labelled = [0, 1, 2].map((i) => h.engine.run(`lab-${i}`, { labels: heal }));
    const plain = [0, 1].map((i) => h.engine.run(`plain-${i}`));
    const stopped = h.engine.run('person-stopped', { labels: heal });
    await h.advance(bootGraceMs + 100);
    h.engine.personStop(stopped);
    await h.advance(1000);
    // the medic restarts an unhealthy one; the engine is SIGKILLed while that call is in flight
    h.engine.hangCalls = true;
    const target = labelled[0]!;
    h.engine.get(target).health = { status: 'unhealthy', failingStreak: 3, log: [] };
    await h.inventory.refresh(target);
    h.medic.sweep();
    await h.advance(100);
    t.true(
      h.engine.calls.some((c) => c.method === 'restart' && c.id === target),
      'the restart was under way',
    );
    h.engine.crash();
    await h.advance(3000);
    h.engine.hangCalls = false;
    h.engine.get(target).health = null;
    h.engine.restartAfterCrash();
    await h.advance(bootGraceMs + 20_000);
    for (const id of [...labelled, ...plain]) {
      t.is(h.engine.get(id).state, 'running', `${h.engine.get(id).name} runs again`);
      const desired = h.intent.desired(containerKey(h.engine.get(id)));
      t.is(desired?.desired, 'running');
      t.notRegex(desired?.reason ?? '', /on request/, 'not taken for a person’s stop');
    }
    t.is(h.engine.get(stopped).state, 'exited', 'the one a person stopped stays stopped');
    t.is(h.intent.desired(containerKey(h.engine.get(stopped)))?.desired, 'stopped');
    t.is(h.stores.recovery.get(containerKey(h.engine.get(target))).attempts, 0, 'no attempt charged');
    const interrupted = h.ofType('recovery.action', 'lab-0').filter((e) => e.data.interrupted);
    t.true(interrupted.length >= 1, 'the interrupted call is recorded as such');
    t.true(interrupted.every((e) => e.data.counted === false));
  },
);

test.serial('a full store: the crash loop is still counted and backed off, each action logged', async (t) => {
  const h = await medicHarness();
  t.teardown(() => h.close());
  const id = h.engine.run('looper', { labels: heal, behaviour: { kind: 'exits', code: 1, afterMs: 100 } });
  await h.advance(50);
  // every write the store is asked for fails, as SQLITE_FULL does
  h.db.pragma('query_only = ON');
  await h.advance(30_000);
  const starts = h.engine.calls.filter((c) => c.method === 'start' && c.id === id);
  t.is(starts.length, 4, 'the attempt limit (4), not one start per die');
  t.deepEqual(
    starts.slice(1).map((s, i) => Math.round((s.at - starts[i]!.at) / 1000)),
    [1, 2, 4],
  );
  t.is(h.ofType('recovery.action', 'looper').length, 4, 'every action published');
  t.is(h.ofType('recovery.gave_up', 'looper').length, 1);
  t.true(h.intent.unsavedCount > 0, 'held in memory');
  h.db.pragma('query_only = OFF');
  t.true(h.intent.flush(), 'written once the store takes writes');
  t.is(h.stores.recovery.get(containerKey(h.engine.get(id))).attempts, 4);
});

test.serial('a rename mid crash loop keeps the history and the attempt budget', async (t) => {
  const h = await medicHarness();
  t.teardown(() => h.close());
  const id = h.engine.run('before', { labels: heal, behaviour: { kind: 'exits', code: 1, afterMs: 100 } });
  await h.advance(1500);
  h.engine.rename(id, 'after');
  await h.advance(120_000);
  t.is(h.engine.calls.filter((c) => c.method === 'start' && c.id === id).length, 4, 'one budget across the rename');
  const key = containerKey(h.engine.get(id));
  t.is(h.stores.recovery.get(key).attempts, 4);
  t.deepEqual([...new Set(h.stores.history.since(key, 0).map((e) => e.key))], [key]);
});

test.serial(
  'rm -f, then a container created under the same name, is not started after a restart of vigil',
  async (t) => {
    const h = await medicHarness();
    t.teardown(() => h.close());
    const old = h.engine.run('web', { labels: heal, behaviour: { kind: 'exits', code: 1, afterMs: 100 } });
    await h.advance(bootGraceMs + 1500);
    const oldKey = containerKey(h.engine.get(old));
    t.true(h.stores.recovery.get(oldKey).attempts > 0);
    h.engine.remove(old);
    await h.advance(100);
    t.is(h.stores.desired.get(oldKey), undefined, 'the removed container’s desired state is gone');
    t.is(h.stores.recovery.get(oldKey).attempts, 0, 'and its backoff');
    t.true(h.stores.history.since(oldKey, 0).length > 0, 'its history stays');
    const created = h.engine.create('web', { labels: heal });
    await h.advance(100);
    await h.medic.bootReconcile('vigil-start', Date.now());
    await h.advance(10_000);
    t.is(h.engine.get(created).state, 'created', 'never started: it earned nothing');
    t.false(h.engine.calls.some((c) => c.id === created));
  },
);

test.serial("a person's stop through vigil holds for a container already exited in its backoff", async (t) => {
  const h = await medicHarness({ schedule: { baseMs: 5000, maxMs: 60_000, resetAfterMs: 600_000, maxAttempts: 10 } });
  t.teardown(() => h.close());
  const id = h.engine.run('looping', { labels: heal, behaviour: { kind: 'exits', code: 1, afterMs: 100 } });
  await h.advance(bootGraceMs + 1000);
  t.is(h.engine.get(id).state, 'exited', 'waiting in its backoff');
  const startsBefore = h.engine.calls.filter((c) => c.method === 'start').length;
  const actions = new PersonActions({
    ...{ engine: h.engine, intent: h.intent, history: h.stores.history, bus: new EventBus(100) },
    logger: pino({ level: 'silent' }),
    hold: (record, work) => h.medic.hold(record, work),
  });
  const done = actions.act(h.engine.get(id), 'stop', 'page');
  await h.advance(100);
  t.like(await done, { action: 'stop', by: 'page', desired: 'stopped' });
  await h.advance(120_000);
  t.is(h.engine.calls.filter((c) => c.method === 'start').length, startsBefore, 'never started again');
  const key = containerKey(h.engine.get(id));
  t.like(h.intent.desired(key), { desired: 'stopped', source: 'api' });
  t.true(h.stores.history.since(key, 0).some((e) => e.kind === 'intent' && e.data.by === 'page'));
});
