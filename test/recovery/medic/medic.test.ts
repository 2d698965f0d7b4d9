import test from 'ava';
import { containerKey } from '../../../src/recovery/identity.js';
import { medicHarness } from '../../helpers/medic-harness.js';

// The medic on a fake engine and a fake clock. Fake timers are global, so every test here is serial.
const heal = { 'vigil.autoheal': 'true' };
const bootGraceMs = 2000;

test.serial(
  'a labelled container that keeps crashing is started with doubling delays, then given up on out loud',
  async (t) => {
    const h = await medicHarness();
    t.teardown(() => h.close());
    const id = h.engine.run('crashy', { labels: heal, behaviour: { kind: 'exits', code: 1, afterMs: 100 } });
    await h.advance(120_000);
    const starts = h.engine.calls.filter((c) => c.method === 'start' && c.id === id);
    t.is(starts.length, 4, 'the attempt limit (4)');
    const gaps = starts.slice(1).map((s, i) => s.at - starts[i]!.at);
    // each start runs 100 ms before crashing; the backoff after attempts 1, 2 and 3 is 1, 2 and 4 s
    t.deepEqual(
      gaps.map((g) => Math.round(g / 1000)),
      [1, 2, 4],
    );
    const gaveUp = h.ofType('recovery.gave_up', 'crashy');
    t.is(gaveUp.length, 1);
    t.is(gaveUp[0]!.data.attempts, 4);
    t.is(h.stores.recovery.get(containerKey(h.engine.get(id))).attempts, 4);
    await h.advance(600_000);
    t.is(h.engine.calls.filter((c) => c.method === 'start').length, 4, 'nothing more after giving up');
  },
);

test.serial('a container a person stopped is never started, through sweeps and a vigil-side alert', async (t) => {
  const h = await medicHarness();
  t.teardown(() => h.close());
  const id = h.engine.run('stopped-by-me', { labels: heal });
  await h.advance(bootGraceMs + 100);
  h.engine.personStop(id);
  await h.advance(1000);
  for (let i = 0; i < 5; i++) {
    h.medic.sweep();
    await h.advance(60_000);
  }
  h.medic.alertFiring(id, 'ContainerDown', 'start');
  await h.advance(10_000);
  t.deepEqual(h.engine.calls, []);
  t.is(h.engine.get(id).state, 'exited');
  t.is(h.ofType('recovery.action', 'stopped-by-me').length, 0);
});

test.serial('engine restarts start what should run, labelled or not, and never count as an attempt', async (t) => {
  const h = await medicHarness();
  t.teardown(() => h.close());
  const labelled = h.engine.run('labelled', { labels: heal });
  const plain = h.engine.run('plain');
  const mine = h.engine.run('user-stopped', { labels: heal });
  await h.advance(bootGraceMs + 100);
  h.engine.personStop(mine);
  await h.advance(30_000);
  for (let cycle = 1; cycle <= 3; cycle++) {
    h.engine.shutDown();
    await h.advance(5000);
    h.engine.startUp();
    await h.advance(bootGraceMs + 5000);
    t.is(h.engine.get(labelled).state, 'running', `labelled running after cycle ${cycle}`);
    t.is(h.engine.get(plain).state, 'running', `unlabelled running after cycle ${cycle}`);
    t.is(h.engine.get(mine).state, 'exited', `user-stopped still stopped after cycle ${cycle}`);
    await h.advance(20_000);
  }
  for (const id of [labelled, plain])
    t.is(h.stores.recovery.get(containerKey(h.engine.get(id))).attempts, 0, 'no attempt counted');
  // vigil's own start is reported too when the machine booted less than 15 min before (its real uptime,
  // whatever the fake clock says): the engine's restarts are what this test is about
  const boots = h.ofType('recovery.boot').filter((b) => b.data.trigger === 'engine-restart');
  t.is(boots.length, 3);
  for (const boot of boots) t.deepEqual(boot.data.recovered, ['labelled', 'plain']);
  const actions = h.ofType('recovery.action').map((e) => [e.container?.name, e.data.reason, e.data.counted]);
  t.deepEqual(
    actions,
    Array.from({ length: 3 }, () => [
      ['labelled', 'stopped when the engine restarted', false],
      ['plain', 'stopped when the engine restarted', false],
    ]).flat(),
  );
  t.is(h.ofType('recovery.gave_up').length, 0);
});

test.serial(
  'an engine whose stream ends 8 s after it stopped its containers (containerd slow to exit): what should run comes back',
  async (t) => {
    const h = await medicHarness();
    t.teardown(() => h.close());
    const labelled = h.engine.run('labelled', { labels: heal });
    const plain = h.engine.run('plain');
    await h.advance(bootGraceMs + 100);
    h.engine.shutDown({ streamEndsAfterMs: 8000 });
    await h.advance(8000 + 1000);
    h.engine.startUp();
    await h.advance(bootGraceMs + 5000);
    t.is(h.engine.get(labelled).state, 'running');
    t.is(h.engine.get(plain).state, 'running');
    const boot = h.ofType('recovery.boot').find((b) => b.data.trigger === 'engine-restart');
    t.deepEqual(boot?.data.recovered, ['labelled', 'plain']);
  },
);

test.serial(
  "behind systemd's docker.socket (a new connection made and never answered): the engine's stops are its own, judged before the reconcile",
  async (t) => {
    const h = await medicHarness();
    t.teardown(() => h.close());
    h.engine.socketHeld = true;
    const plain = h.engine.run('plain');
    await h.advance(bootGraceMs + 100);
    // the stream ends at once, and the engine is back before the probe's 5 s have passed
    h.engine.shutDown();
    await h.advance(500);
    h.engine.startUp();
    await h.advance(bootGraceMs + 1000);
    t.is(h.engine.get(plain).state, 'exited', 'the reconcile waits for the judgement');
    await h.advance(5000);
    t.is(h.engine.get(plain).state, 'running');
    const boot = h.ofType('recovery.boot').find((b) => b.data.trigger === 'engine-restart');
    t.deepEqual(boot?.data.recovered, ['plain']);
  },
);

test.serial(
  "vigil stopped by the same shutdown as the rest (as in a container): the engine's stops it heard are taken back as it stops",
  async (t) => {
    const h = await medicHarness();
    t.teardown(() => h.close());
    const plain = h.engine.run('plain');
    const mine = h.engine.run('mine');
    const key = (id: string) => containerKey(h.engine.get(id));
    await h.advance(bootGraceMs + 100);
    h.engine.personStop(mine);
    await h.advance(1000);
    h.engine.shutDown({ streamEndsAfterMs: 60_000 });
    await h.advance(100);
    t.is(h.intent.desired(key(plain))?.desired, 'stopped', 'a stop on request until it is judged');
    await h.intent.stop();
    t.like(h.intent.desired(key(plain)), { desired: 'running' });
    t.regex(h.intent.desired(key(plain))!.reason, /the stop came from the engine shutting down/);
    t.like(h.intent.desired(key(mine)), { desired: 'stopped' }, "the person's stop before it stays");
  },
);

test.serial(
  "a person's stop of every container a second before the engine went: all stay stopped when it is back",
  async (t) => {
    const h = await medicHarness();
    t.teardown(() => h.close());
    const ids = [h.engine.run('mine-labelled', { labels: heal }), h.engine.run('mine-plain')];
    await h.advance(bootGraceMs + 100);
    for (const id of ids) h.engine.personStop(id);
    await h.advance(1000);
    h.engine.shutDown();
    await h.advance(3000);
    h.engine.startUp();
    await h.advance(bootGraceMs + 5000);
    for (const id of ids) t.is(h.engine.get(id).state, 'exited', `${h.engine.get(id).name} stays stopped`);
    t.deepEqual(h.engine.calls, [], 'nothing started');
    const boot = h.ofType('recovery.boot').find((b) => b.data.trigger === 'engine-restart');
    t.is(boot?.data.summary.leftStopped, 2);
  },
);

test.serial('many triggers at once for one container act once: evaluation is single-flight', async (t) => {
  const h = await medicHarness();
  t.teardown(() => h.close());
  const id = h.engine.run('racy', { labels: heal });
  await h.advance(bootGraceMs + 100);
  h.engine.exit(id, 2);
  for (let i = 0; i < 10; i++) {
    h.medic.sweep();
    h.medic.alertFiring(id, 'ContainerDown', 'start');
    void h.medic.evaluate(id);
  }
  await h.advance(500);
  t.is(h.engine.calls.filter((c) => c.method === 'start').length, 1);
  t.is(h.engine.get(id).state, 'running');
});

test.serial('a failed start is counted and backed off like a crash, and the next one succeeds', async (t) => {
  const h = await medicHarness();
  t.teardown(() => h.close());
  const id = h.engine.run('flaky-start', { labels: heal });
  await h.advance(bootGraceMs + 100);
  h.engine.failStarts.set(id, 'OCI runtime create failed');
  h.engine.exit(id, 1);
  await h.advance(10_000);
  const actions = h.ofType('recovery.action', 'flaky-start').map((e) => [e.data.outcome, e.data.attempt]);
  t.deepEqual(actions, [
    ['failure', 1],
    ['success', 2],
  ]);
  t.is(h.engine.get(id).state, 'running');
});

test.serial('a problem vigil may not fix is reported once while it lasts, not at every sweep', async (t) => {
  const h = await medicHarness({ reportQuietMs: 600_000 });
  t.teardown(() => h.close());
  const id = h.engine.run('not-mine'); // unlabelled, and autoheal is `labelled`
  await h.advance(bootGraceMs + 100);
  h.engine.exit(id, 1);
  await h.advance(1000);
  t.is(h.ofType('recovery.skipped', 'not-mine').length, 1);
  for (let i = 0; i < 5; i++) {
    h.medic.sweep();
    await h.advance(60_000);
  }
  t.is(h.ofType('recovery.skipped', 'not-mine').length, 1, 'not repeated within the quiet period');
  for (let i = 0; i < 15; i++) {
    h.medic.sweep();
    await h.advance(60_000);
  }
  // seen at every sweep, so never quiet: one problem, one report, however long it lasts
  t.is(h.ofType('recovery.skipped', 'not-mine').length, 1);
  t.deepEqual(h.engine.calls, []);
});

test.serial('a recurring problem is reported again when it comes back after a quiet spell', async (t) => {
  const h = await medicHarness({ reportQuietMs: 600_000 });
  t.teardown(() => h.close());
  const id = h.engine.run('recurring');
  await h.advance(bootGraceMs + 100);
  h.engine.exit(id, 1);
  await h.advance(1000);
  await h.advance(700_000); // no sweep sees it in between
  h.medic.sweep();
  await h.advance(100);
  t.is(h.ofType('recovery.skipped', 'recurring').length, 2);
});

test.serial(
  'what vigil holds per container is dropped when the container is removed, old and new id after a recreate',
  async (t) => {
    const h = await medicHarness();
    t.teardown(() => h.close());
    for (let i = 0; i < 20; i++)
      h.engine.run(`c${i}`, { labels: heal, behaviour: { kind: 'exits', code: 1, afterMs: 300 } });
    const recreated = h.engine.run('recreated', { labels: heal });
    await h.advance(bootGraceMs + 5000);
    h.medic.alertFiring(recreated, 'Stuck', 'recreate');
    await h.advance(1000);
    t.is(h.engine.calls.filter((c) => c.method === 'recreate').length, 1);
    t.true(
      Object.values(h.medic.memoryFootprint()).some((n) => n > 0),
      'there was something to drop',
    );
    for (const id of h.engine.ids()) h.engine.remove(id);
    await h.advance(10_000);
    t.deepEqual(h.medic.memoryFootprint(), { timers: 0, busy: 0, reported: 0, alertRequests: 0, ownStarts: 0 });
    const intent = h.intent.memoryFootprint();
    t.is(intent.memory + intent.ownStarts + intent.unsaved, 0);
  },
);

test.serial(
  'an inspection from before its own restart that lands late is not acted on: one alert, one restart',
  async (t) => {
    const h = await medicHarness();
    t.teardown(() => h.close());
    const id = h.engine.run('late-inspect', { labels: heal });
    await h.advance(bootGraceMs + 100);
    // as on a busy engine with `--stop-timeout 1` and a process that ignores SIGTERM: the inspection the
    // restart's die causes sees the container exited, and lands after the restart has returned and
    // after the backoff (1 s) allows another action
    h.engine.inspectDelayMs = 1200;
    h.engine.stopTimeoutMs = 1000;
    h.engine.restartGapMs = 300;
    h.medic.alertFiring(id, 'Dup', 'restart');
    await h.advance(10_000);
    t.deepEqual(
      h.engine.calls.map((c) => c.method),
      ['restart'],
    );
    t.is(h.ofType('recovery.action', 'late-inspect').length, 1);
    t.is(h.engine.get(id).state, 'running');
    await h.advance(60_000);
    t.is(h.ofType('recovery.action', 'late-inspect').length, 1, 'nothing more once the fresh inspection landed');
  },
);

test.serial(
  'a labelled container whose health check starts failing is restarted within 1 s of the engine saying unhealthy, once',
  async (t) => {
    const h = await medicHarness();
    t.teardown(() => h.close());
    const id = h.engine.run('sick', { labels: heal });
    h.engine.turnHealth(id, 'healthy');
    await h.advance(bootGraceMs + 100);
    t.deepEqual(h.engine.calls, [], 'nothing to do while it is healthy');
    const unhealthyAt = Date.now();
    h.engine.turnHealth(id, 'unhealthy');
    // the engine's own interval is what it takes to turn unhealthy; vigil's part is this second
    await h.advance(1000);
    const restarts = h.engine.calls.filter((c) => c.method === 'restart' && c.id === id);
    t.is(restarts.length, 1, 'restarted within 1 s');
    t.true(restarts[0]!.at - unhealthyAt <= 1000, `${restarts[0]!.at - unhealthyAt} ms after it turned unhealthy`);
    t.regex(String(h.ofType('recovery.started', 'sick')[0]?.data.reason), /unhealthy/);
    t.is(h.engine.get(id).health?.status, 'starting', 'running again, its health check starting over');
    h.engine.turnHealth(id, 'healthy');
    await h.advance(60_000);
    t.is(h.engine.calls.length, 1, 'nothing more once it is healthy again');
    t.like(h.ofType('recovery.action', 'sick')[0]?.data, { action: 'restart', outcome: 'success' });
  },
);

test.serial(
  "the boot reconcile judges each container by the engine's latest word: a started container that crashed while its inspections were late is not started again",
  async (t) => {
    // the automatic reconcile far off: this test runs it when the inspections are late
    const h = await medicHarness({ bootGraceMs: 3_600_000 });
    t.teardown(() => h.close());
    const id = h.engine.create('quitter');
    await h.advance(100);
    t.is(h.inventory.get(id)?.record.state, 'created');
    const syncedAt = Date.now();
    await h.advance(1000);
    // a busy engine: the inspections the start and the crash call for answer late
    const answer = h.engine.holdInspections();
    await h.engine.start(id);
    h.engine.exit(id, 3);
    await h.advance(10);
    t.is(h.intent.desired(containerKey(h.engine.get(id)))?.desired, 'running', 'its start was seen');
    t.is(h.inventory.get(id)?.record.state, 'created', 'its record is still the one from before');
    const round = h.medic.bootReconcile('vigil-start', syncedAt);
    await h.advance(500);
    answer();
    await h.advance(100);
    await round;
    await h.advance(10_000);
    // the start above was the test's own: the reconcile made none (it crashed after the sync, unlabelled)
    t.is(h.engine.calls.filter((c) => c.method === 'start' && c.id === id).length, 1);
    t.is(h.engine.get(id).state, 'exited');
  },
);
