import test from 'ava';
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import {
  docker as dockerOn,
  engineGet,
  execEndingTheRun,
  runContainer as runOn,
  testImage,
  uniqueName,
  waitFor,
} from '../helpers/engine.js';
import { PrivateEngine } from '../helpers/private-engine.js';
import { actingVigil, ofContainer, readiness } from '../helpers/vigil.js';
import { tempDir } from '../helpers/temp-dir.js';

// the medic acts on containers: its vigil must be the only one on the engine, so the file has its own
const engine = new PrivateEngine();
const docker = (args: string[]) => dockerOn(args, engine.host);
const runContainer = (n: string, options: string[], command: string[]) => runOn(n, options, command, engine.host);
const created: string[] = [];
const heal = ['--label', 'vigil.autoheal=true'];
const exec = promisify(execFile);

test.before(() => engine.up());
test.after.always(() => engine.destroy());

const medicVigil = (env: Record<string, string> = {}) => actingVigil(engine.host, env);

function name(prefix: string): string {
  const n = uniqueName(prefix);
  created.push(n);
  return n;
}

test.serial(
  // how soon (within 1 s of the engine saying unhealthy) is asserted on the fake clock:
  // test/recovery/medic/medic.test.ts
  'a container whose health check starts failing is restarted for being unhealthy, once',
  async (t) => {
    const { vigil, events } = await medicVigil();
    t.teardown(() => vigil.stop());
    const n = name('unhealthy');
    await runContainer(
      n,
      [
        ...heal,
        '--stop-timeout',
        '1',
        '--health-cmd',
        'test -f /tmp/ok',
        '--health-interval',
        '1s',
        '--health-retries',
        '1',
      ],
      ['sh', '-c', 'touch /tmp/ok; exec sleep 100000'],
    );
    await waitFor(() => ofContainer(events, n, 'container.health').some((e) => e.data.to === 'healthy'), {
      what: 'healthy',
    });
    const startedBefore = await docker(['inspect', '-f', '{{.State.StartedAt}}', n]);
    await docker(['exec', n, 'rm', '/tmp/ok']);
    const unhealthy = await waitFor(
      () => ofContainer(events, n, 'container.health').find((e) => e.data.to === 'unhealthy'),
      { what: 'unhealthy' },
    );
    const started = await waitFor(
      () => ofContainer(events, n, 'recovery.started').find((e) => e.data.action === 'restart'),
      { what: 'a restart' },
    );
    t.regex(String(started.data.reason), /unhealthy/);
    const took = Date.parse(started.time) - Date.parse(unhealthy.time);
    const action = await waitFor(
      () => ofContainer(events, n, 'recovery.action').find((e) => e.data.action === 'restart'),
      { what: 'the restart done' },
    );
    t.is(action.data.outcome, 'success');
    t.log(`restart began ${took} ms after vigil saw it unhealthy`);
    t.not(await docker(['inspect', '-f', '{{.State.StartedAt}}', n]), startedBefore, 'the container was restarted');
    // healthy again after the restart (its check file is made anew at start), and not restarted again
    await waitFor(
      () => ofContainer(events, n, 'container.health').some((e) => e.data.to === 'healthy' && e.time > action.time),
      { what: 'healthy again' },
    );
    t.is(ofContainer(events, n, 'recovery.started').length, 1, 'one restart');
  },
);

test.serial(
  'a crash-looping container is restarted with growing delays and given up on after N attempts',
  async (t) => {
    const { vigil, events } = await medicVigil({ VIGIL_RECOVERY_MAX_ATTEMPTS: '4' });
    t.teardown(() => vigil.stop());
    const n = name('crashloop');
    await runContainer(n, heal, ['sh', '-c', 'exit 1']);
    const gaveUp = await waitFor(() => ofContainer(events, n, 'recovery.gave_up')[0], {
      what: 'gave up',
      timeoutMs: 30_000,
    });
    const starts = ofContainer(events, n, 'recovery.action').filter((e) => e.data.action === 'start');
    t.is(starts.length, 4);
    const began = starts.map((e) => Date.parse(e.time) - Number(e.data.ms));
    const allowed = starts.map((e) => Date.parse(String(e.data.nextAllowedAt)));
    t.log(
      `gaps between starts: ${began
        .slice(1)
        .map((at, i) => at - began[i]!)
        .join(', ')} ms`,
    );
    // the backoff vigil chose after attempts 1, 2 and 3: 1, 2 and 4 s (base shortened to 1 s by
    // configuration). How late after it the next start came is the machine's load, not vigil's: the
    // exact gaps are asserted on a fake clock (test/recovery/medic/medic.test.ts)
    t.deepEqual(
      starts.slice(0, 3).map((e, i) => Math.round((allowed[i]! - Date.parse(e.time)) / 1000)),
      [1, 2, 4],
    );
    for (const i of [1, 2, 3]) t.true(began[i]! >= allowed[i - 1]! - 50, `start ${i + 1} not before its backoff`);
    t.is(gaveUp.data.attempts, 4);
    await new Promise((r) => setTimeout(r, 2500));
    t.is(ofContainer(events, n, 'recovery.action').length, 4, 'nothing more after giving up');
    t.is(await docker(['inspect', '-f', '{{.State.Status}}', n]), 'exited');
    const history = (await (await vigil.get(`/api/v1/history/${n}`)).json()) as {
      actions: { action: string }[];
      intents: { desired: string }[];
    };
    t.deepEqual(
      history.actions.map((a) => a.action),
      ['start', 'start', 'start', 'start', 'give-up'],
    );
  },
);

test.serial('a container the user stops stays stopped, while vigil runs and across a restart of vigil', async (t) => {
  const dataDir = tempDir(t, 'data');
  const first = await medicVigil({ VIGIL_DATA_DIR: dataDir });
  const n = name('userstop');
  await runContainer(n, [...heal, '--restart', 'no'], ['sleep', '100000']);
  await waitFor(() => ofContainer(first.events, n, 'container.state').some((e) => e.data.to === 'running'), {
    what: 'running',
  });
  await docker(['stop', '-t', '1', n]);
  await waitFor(() => ofContainer(first.events, n, 'container.state').some((e) => e.data.to === 'exited'), {
    what: 'exited',
  });
  first.vigil.vigil.medic.sweep();
  await new Promise((r) => setTimeout(r, 2000));
  t.deepEqual(ofContainer(first.events, n, 'recovery.action'), []);
  await first.vigil.stop();

  const second = await medicVigil({ VIGIL_DATA_DIR: dataDir });
  t.teardown(() => second.vigil.stop());
  await new Promise((r) => setTimeout(r, 1500));
  t.deepEqual(ofContainer(second.events, n, 'recovery.action'), []);
  t.is(await docker(['inspect', '-f', '{{.State.Status}}', n]), 'exited');
  const history = (await (await second.vigil.get(`/api/v1/history/${n}`)).json()) as {
    intents: { desired: string; reason: string }[];
  };
  t.like(history.intents.at(-1), { desired: 'stopped' });
  t.regex(history.intents.at(-1)!.reason, /stopped on request/);
});

test.serial('without the label (autoheal labelled), a crash is reported and left alone', async (t) => {
  const { vigil, events } = await medicVigil();
  t.teardown(() => vigil.stop());
  const n = name('unlabelled');
  await runContainer(n, [], ['sh', '-c', 'exit 2']);
  const skipped = await waitFor(() => ofContainer(events, n, 'recovery.skipped')[0], { what: 'a skipped decision' });
  t.regex(String(skipped.data.reason), /not labelled vigil\.autoheal=true/);
  t.is(await docker(['inspect', '-f', '{{.State.Status}}', n]), 'exited');
});

test.serial(
  'image removed under a stopped container: the pull fails with a clear reason, and once the image is back, recreate keeps name, labels, env and mounts',
  async (t) => {
    const { vigil, events } = await medicVigil({ VIGIL_BACKOFF_BASE_SECONDS: '1', VIGIL_RECOVERY_MAX_ATTEMPTS: '20' });
    t.teardown(() => vigil.stop());
    // a registry on loopback that is not there: the pull fails without any traffic leaving the machine
    const ref = `127.0.0.1:5999/${uniqueName('img')}:latest`;
    await docker(['tag', testImage, ref]);
    const n = name('image');
    const volume = tempDir(t, 'vol');
    const oldId = await docker([
      'run',
      '-d',
      '--name',
      n,
      '--network',
      'none',
      ...heal,
      '--label',
      'team=platform',
      '-e',
      'FOO=bar',
      '-v',
      `${volume}:/data`,
      '--health-cmd',
      'true',
      '--health-interval',
      '5s',
      ref,
      'sh',
      '-c',
      'rm -f /tmp/crash; while [ ! -f /tmp/crash ]; do sleep 0.1; done; exit 3',
    ]);
    await waitFor(() => vigil.vigil.inventory.get(oldId), { what: 'the container' });
    await docker(['rmi', ref]);
    await execEndingTheRun(n, ['touch', '/tmp/crash'], engine.host);

    const pull = await waitFor(() => ofContainer(events, n, 'recovery.action').find((e) => e.data.action === 'pull'), {
      what: 'a pull',
      timeoutMs: 15_000,
    });
    t.is(pull.data.outcome, 'failure');
    t.regex(String(pull.data.reason), new RegExp(`image ${ref.replace(/[.:/]/g, '\\$&')} is missing`));
    t.regex(String(pull.data.error), /127\.0\.0\.1:5999|connection refused|dial tcp/i);
    t.is(await docker(['inspect', '-f', '{{.State.Status}}', oldId]), 'exited');

    // imported again locally
    await docker(['tag', testImage, ref]);
    const recreate = await waitFor(
      () =>
        ofContainer(events, n, 'recovery.action').find(
          (e) => e.data.action === 'recreate' && e.data.outcome === 'success',
        ),
      {
        what: 'a recreate',
        timeoutMs: 20_000,
      },
    ).catch((err) => {
      console.error(
        JSON.stringify(
          events.filter((e) => e.container?.name === n && e.type.startsWith('recovery')),
          null,
          1,
        ),
      );
      console.error(JSON.stringify(vigil.logs.filter((l) => l.level >= 40).slice(-10)));
      throw err;
    });
    t.regex(String(recreate.data.reason), /is back/);
    const now = await engineGet<{
      Id: string;
      State: { Status: string };
      Config: { Labels: Record<string, string>; Env: string[]; Healthcheck?: { Test: string[] } };
      HostConfig: { NetworkMode: string };
      Mounts: { Source: string; Destination: string }[];
    }>(`/containers/${n}/json`, engine.host);
    t.not(now.Id, oldId, 'a new container');
    t.is(now.State.Status, 'running');
    t.like(now.Config.Labels, { 'vigil.autoheal': 'true', team: 'platform' });
    t.true(now.Config.Env.includes('FOO=bar'));
    t.deepEqual(
      now.Mounts.map((m) => [m.Source, m.Destination]),
      [[volume, '/data']],
    );
    t.is(now.HostConfig.NetworkMode, 'none');
    t.deepEqual(now.Config.Healthcheck?.Test, ['CMD-SHELL', 'true']);
    t.false(
      (await docker(['ps', '-a', '--format', '{{.Names}}'])).includes(`${n}-vigil-replaced`),
      'the old container is gone',
    );
  },
);

test.serial('never two actions on one container at once: evaluations racing over a crash make one start', async (t) => {
  const { vigil, events } = await medicVigil({ VIGIL_BACKOFF_BASE_SECONDS: '30' });
  t.teardown(() => vigil.stop());
  const n = name('race');
  const id = await runContainer(n, heal, ['sh', '-c', 'sleep 1; exit 1']);
  await waitFor(() => vigil.vigil.inventory.get(id)?.record.state === 'exited', {
    what: 'the crash seen',
    intervalMs: 5,
  });
  await Promise.all(Array.from({ length: 8 }, () => vigil.vigil.medic.evaluate(id)));
  await waitFor(() => ofContainer(events, n, 'recovery.action').length > 0, { what: 'a start' });
  await new Promise((r) => setTimeout(r, 1500));
  t.is(ofContainer(events, n, 'recovery.action').length, 1, 'one start within the backoff');
  t.is(ofContainer(events, n, 'recovery.started').length, 1);
});

test.serial(
  'store made read-only under a running vigil: no crash, readiness says so, and no desired state is lost once it is writable again',
  async (t) => {
    const dataDir = tempDir(t, 'data');
    const { vigil, events } = await medicVigil({ VIGIL_DATA_DIR: dataDir });
    t.teardown(() => vigil.stop());
    const crasher = name('ro-crash');
    const stopper = name('ro-stop');
    const crasherId = await runContainer(
      crasher,
      [...heal, '--stop-timeout', '1'],
      ['sh', '-c', 'rm -f /tmp/crash; while [ ! -f /tmp/crash ]; do sleep 0.1; done; exit 3'],
    );
    const stopperId = await runContainer(stopper, [...heal, '--stop-timeout', '1'], ['sleep', '100000']);
    await waitFor(
      () =>
        vigil.vigil.intent.desired(`id:${stopperId}`)?.desired === 'running' &&
        vigil.vigil.intent.desired(`id:${crasherId}`),
      { what: 'both known as should-run' },
    );
    const files = [join(dataDir, 'vigil.db'), join(dataDir, 'vigil.db-wal')];
    await exec('chattr', ['+i', ...files]);
    t.teardown(() => exec('chattr', ['-i', ...files]).then(() => undefined));

    await docker(['stop', stopper]); // a person's wish, while the store refuses writes
    await execEndingTheRun(crasher, ['touch', '/tmp/crash'], engine.host); // a crash: the medic acts, its bookkeeping is refused
    const ready = await waitFor(
      async () => {
        const res = await vigil.get('/health/ready');
        return res.status === 503
          ? ((await res.json()) as { checks: { store: { status: string; reason: string } } })
          : null;
      },
      { what: 'readiness to fail' },
    );
    t.is(ready.checks.store.status, 'unhealthy');
    t.regex(ready.checks.store.reason, /cannot be written/);
    await vigil.vigil.medic.bootReconcile('vigil-start', Date.now()); // the boot reconcile runs on a read-only store too
    await waitFor(async () => (await docker(['inspect', '-f', '{{.State.Status}}', crasher])) === 'running', {
      what: 'the crashed container started',
    });
    await new Promise((r) => setTimeout(r, 1000));
    t.is((await vigil.get('/health/live')).status, 200, 'still serving');
    t.is(await docker(['inspect', '-f', '{{.State.Status}}', stopper]), 'exited', 'the stopped one stays stopped');
    t.true(vigil.vigil.intent.unsavedCount > 0, 'the stop is held in memory');

    await exec('chattr', ['-i', ...files]);
    await waitFor(async () => (await readiness(vigil.url)) === 'ok', { what: 'ready again' });
    t.true(vigil.vigil.intent.flush(), 'everything written');
    const db = new Database(files[0], { readonly: true });
    t.teardown(() => db.close());
    const row = db.prepare('SELECT desired, reason FROM desired_state WHERE key = ?').get(`id:${stopperId}`) as {
      desired: string;
      reason: string;
    };
    t.like(row, { desired: 'stopped' });
    t.regex(row.reason, /stopped on request/);
    t.true(events.some((e) => e.type === 'recovery.started' && e.container?.name === crasher));
  },
);
