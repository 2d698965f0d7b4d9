import test from 'ava';
import type { ContainerDetail } from '../../src/http/api-types.js';
import type { RecoveryBootEvent } from '../../src/streams/events.js';
import { readiness } from '../helpers/vigil.js';
import { join } from 'node:path';
import { docker as dockerOn, runContainer as runOn, waitFor } from '../helpers/engine.js';
import { PrivateEngine } from '../helpers/private-engine.js';
import { openSseClient, type SseClient } from '../helpers/sse.js';
import { spawnVigil, type VigilProcess } from '../helpers/vigil-process.js';

// The engine is stopped and started under vigil, and vigil is SIGKILLed: a private engine, vigil as a process.
// Its socket is handed to it as systemd's docker.socket does on Debian's and Docker's own packages: while
// dockerd stops, a new connection is made and left unanswered (test/integration/engine-shutdown.test.ts).
const engine = new PrivateEngine({ socketActivated: true });
const docker = (args: string[]) => dockerOn(args, engine.host);
const dataDir = join(engine.dir, 'vigil-data');

type Vigil = VigilProcess;

async function startVigil(env: Record<string, string> = {}): Promise<Vigil> {
  const vigil = await spawnVigil({
    DOCKER_HOST: engine.host,
    VIGIL_DATA_DIR: dataDir,
    VIGIL_AUTOHEAL: 'labelled',
    // info: the boot round's line (startRound)
    VIGIL_LOG_LEVEL: 'info',
    ...env,
  });
  await waitFor(async () => (await readiness(vigil.url)) === 'ok', {
    what: 'vigil ready',
    timeoutMs: 30_000,
  });
  return vigil;
}

const stopVigil = (v: Vigil, signal: NodeJS.Signals = 'SIGTERM') => v.stop(signal);

const status = async (n: string) => docker(['inspect', '-f', '{{.State.Status}}', n]);

/** Start events per container since a time, straight from the engine. */
async function startsSince(since: number): Promise<Record<string, number>> {
  const out = await docker([
    'events',
    '--since',
    String(Math.floor(since / 1000)),
    '--until',
    String(Math.ceil(Date.now() / 1000)),
    '--filter',
    'event=start',
    '--format',
    '{{.Actor.Attributes.name}}',
  ]);
  const counts: Record<string, number> = {};
  for (const n of out.split('\n').filter(Boolean)) counts[n] = (counts[n] ?? 0) + 1;
  return counts;
}

async function bootEvent(client: SseClient): Promise<RecoveryBootEvent> {
  for (;;) {
    const m = await client.next(30_000);
    if (m.event === 'recovery.boot') return JSON.parse(m.data) as RecoveryBootEvent;
  }
}

test.before(async () => {
  await engine.up();
  const quick = ['--stop-timeout', '2'];
  await runOn('r-no', [...quick, '--restart', 'no'], ['sleep', '100000'], engine.host);
  await runOn('r-always', [...quick, '--restart', 'always'], ['sleep', '100000'], engine.host);
  await runOn('r-unless', [...quick, '--restart', 'unless-stopped'], ['sleep', '100000'], engine.host);
  await runOn('u-no', [...quick, '--restart', 'no'], ['sleep', '100000'], engine.host);
  await runOn('u-unless', [...quick, '--restart', 'unless-stopped'], ['sleep', '100000'], engine.host);
});

test.after.always(() => engine.destroy());

const shouldRun = ['r-always', 'r-no', 'r-unless'];
const userStopped = ['u-no', 'u-unless'];

/** What vigil said of the stops and the engine, for a failure to show. */
const stopLines = (vigil: Vigil) =>
  vigil.logs
    .filter((l) => /stop (taken back|kept)|event stream|reconciled/.test(l.msg))
    .map((l) => JSON.stringify(l))
    .join('\n');

// how soon they are back is a figure of `npm run soak` (seconds to all running, per engine cycle)
test.serial(
  'engine restarted under a running vigil: should-run containers back, user-stopped ones stay stopped, none started twice, one recovery event',
  async (t) => {
    const vigil = await startVigil();
    t.teardown(() => stopVigil(vigil));
    // the round of vigil's own start (on a freshly booted host it tells of the host) is not the engine's
    await vigil.startRound();
    for (const n of userStopped) await docker(['stop', n]);
    await new Promise((r) => setTimeout(r, 500));
    const events = await openSseClient(`${vigil.url}/api/v1/events?types=recovery`);
    t.teardown(() => events.close());

    await engine.down();
    const upAt = Date.now();
    await engine.up();
    const boot = await bootEvent(events);
    t.log(`the boot round: ${JSON.stringify(boot.data)}`);
    await waitFor(async () => (await Promise.all(shouldRun.map(status))).every((s) => s === 'running'), {
      what: 'should-run containers running',
      timeoutMs: 60_000,
    }).catch((err: Error) => {
      t.log(stopLines(vigil));
      throw err;
    });
    t.log(`all should-run containers running ${Date.now() - upAt} ms after the engine started`);
    for (const n of userStopped) t.is(await status(n), 'exited', `${n} stays stopped`);
    t.is(boot.data.trigger, 'engine-restart');
    t.deepEqual(boot.data.recovered, ['r-no'], 'vigil started only what the engine would not');
    t.deepEqual(boot.data.failed, []);
    const starts = await startsSince(upAt - 1000);
    for (const n of shouldRun) t.is(starts[n], 1, `${n} started once`);
    for (const n of userStopped) t.is(starts[n], undefined, `${n} not started`);
    await new Promise((r) => setTimeout(r, 1500));
    await t.throwsAsync(events.next(500), undefined, 'one recovery event, no more');
  },
);

test.serial('engine restarted while vigil was down, vigil started after: the same outcome', async (t) => {
  await engine.down();
  const upAt = Date.now();
  await engine.up();
  const vigil = await startVigil();
  t.teardown(() => stopVigil(vigil));
  const events = await openSseClient(`${vigil.url}/api/v1/events?types=recovery.boot&lastEventId=0`);
  t.teardown(() => events.close());
  const boot = await bootEvent(events);
  await waitFor(async () => (await Promise.all(shouldRun.map(status))).every((s) => s === 'running'), {
    what: 'should-run containers running',
    timeoutMs: 60_000,
  });
  for (const n of userStopped) t.is(await status(n), 'exited', `${n} stays stopped`);
  t.is(boot.data.trigger, 'vigil-start');
  t.deepEqual(boot.data.recovered, ['r-no']);
  const starts = await startsSince(upAt - 1000);
  for (const n of shouldRun) t.is(starts[n], 1, `${n} started once`);
});

test.serial('vigil SIGKILLed in the middle of a backoff loses no desired state and resumes the schedule', async (t) => {
  const vigil = await startVigil({ VIGIL_BACKOFF_BASE_SECONDS: '4', VIGIL_BOOT_GRACE_SECONDS: '0' });
  await runOn('crashy', ['--label', 'vigil.autoheal=true'], ['sh', '-c', 'sleep 0.2; exit 1'], engine.host);
  interface History {
    actions: { at: string; action: string; attempt: number; nextAllowedAt: string }[];
    intents: { desired: string }[];
  }
  const history = async (v: Vigil) => (await (await fetch(`${v.url}/api/v1/history/crashy`)).json()) as History;
  const first = await waitFor(
    async () => (await history(vigil)).actions.find((a) => a.action === 'start' && a.attempt === 1),
    { what: 'the first start' },
  );
  await stopVigil(vigil, 'SIGKILL');

  const again = await startVigil({ VIGIL_BACKOFF_BASE_SECONDS: '4', VIGIL_BOOT_GRACE_SECONDS: '0' });
  t.teardown(() => stopVigil(again));
  const second = await waitFor(async () => (await history(again)).actions.find((a) => a.attempt === 2), {
    what: 'the second start',
    timeoutMs: 20_000,
  });
  const h = await history(again);
  t.is(h.intents.at(-1)?.desired, 'running', 'the desired state survived');
  t.is(second.action, 'start');
  const gap = Date.parse(second.at) - Date.parse(first.at);
  t.log(`second attempt ${gap} ms after the first (backoff 4 s, vigil killed in between)`);
  t.true(Date.parse(second.at) >= Date.parse(first.nextAllowedAt) - 50, 'not before the backoff allowed');
  // resumed from the schedule in the store: the second start is attempt 2 (a schedule lost or restarted
  // from scratch would count attempt 1 again) and waited for the 4 s backoff of the first; how much
  // later than that it came is the machine's load (timings are asserted on a fake clock)
  t.is(Math.round((Date.parse(first.nextAllowedAt) - Date.parse(first.at)) / 1000), 4, 'the backoff after attempt 1');
});

test.serial(
  'three engine restarts in a row: a labelled and an unlabelled should-run container run again after each, the history says why, and no attempt is counted',
  async (t) => {
    const quick = ['--stop-timeout', '2', '--restart', 'no'];
    await runOn('cyc-labelled', [...quick, '--label', 'vigil.autoheal=true'], ['sleep', '100000'], engine.host);
    await runOn('cyc-plain', quick, ['sleep', '100000'], engine.host);
    const vigil = await startVigil({ VIGIL_BOOT_GRACE_SECONDS: '1' });
    t.teardown(() => stopVigil(vigil));
    await vigil.startRound(); // both seen running: should run
    for (let cycle = 1; cycle <= 3; cycle++) {
      await engine.down();
      await engine.up();
      await waitFor(
        async () => (await status('cyc-labelled')) === 'running' && (await status('cyc-plain')) === 'running',
        {
          what: `both running after engine restart ${cycle}`,
          timeoutMs: 20_000,
        },
      );
      t.log(`cycle ${cycle}: both running`);
    }
    interface Action {
      action: string;
      reason: string;
      counted: boolean;
      attempt: number;
    }
    for (const n of ['cyc-labelled', 'cyc-plain']) {
      const h = (await (await fetch(`${vigil.url}/api/v1/history/${n}`)).json()) as { actions: Action[] };
      const starts = h.actions.filter((a) => a.action === 'start');
      t.is(starts.length, 3, `${n}: one start per engine restart`);
      for (const s of starts) {
        t.regex(s.reason, /stopped when the engine restarted/, n);
        t.false(s.counted, `${n}: not counted as an attempt`);
        t.is(s.attempt, 0, `${n}: the attempt count is unchanged`);
      }
    }
    t.notRegex(
      await (await fetch(`${vigil.url}/metrics`)).text(),
      /vigil_recovery_attempts\{[^}]*name="cyc-/,
      'no recovery attempts on either',
    );
  },
);

test.serial(
  'an unlabelled container that crashed stays down through an engine restart; its exit is shown with time and code',
  async (t) => {
    const vigil = await startVigil({ VIGIL_BOOT_GRACE_SECONDS: '0' });
    t.teardown(() => stopVigil(vigil));
    await vigil.startRound(); // not the engine restart's round
    // exits at once: the engine may stamp its exit a few ms before its start
    await runOn('crash-plain', ['--restart', 'no'], ['sh', '-c', 'echo bye; exit 3'], engine.host);
    const history = async () =>
      (await (await fetch(`${vigil.url}/api/v1/history/crash-plain`)).json()) as { intents: { reason: string }[] };
    await waitFor(async () => (await history()).intents.some((i) => /crashed \(exit code 3\)/.test(i.reason)), {
      what: 'vigil saw the crash',
    });
    const startedBefore = await docker(['inspect', '-f', '{{.State.StartedAt}}', 'crash-plain']);
    const events = await openSseClient(`${vigil.url}/api/v1/events?types=recovery.boot`);
    t.teardown(() => events.close());

    await engine.down();
    await engine.up();
    const boot = await bootEvent(events);
    t.false(boot.data.recovered.includes('crash-plain'), 'the reconcile did not start it');
    t.regex(
      boot.data.skipped.find((s) => s.name === 'crash-plain')?.reason ?? '',
      /crashed before the restart and not labelled vigil\.autoheal=true/,
    );
    t.is(await status('crash-plain'), 'exited');
    t.is(await docker(['inspect', '-f', '{{.State.StartedAt}}', 'crash-plain']), startedBefore, 'never started again');
    const detail = await waitFor(async () => {
      const d = (await (await fetch(`${vigil.url}/api/v1/containers/crash-plain/health`)).json()) as ContainerDetail;
      return d.state.exitedAt !== null ? d : null;
    });
    t.is(detail.state.exitCode, 3);
    t.is(detail.restarts, 0);
  },
);

test.serial(
  "a person's docker stop of every running container, the engine stopped right after: vigil starts none of them when it is back",
  async (t) => {
    // the medic of the tests above keeps this crash loop going; a person's "stop everything" is of what runs
    await docker(['rm', '-f', 'crashy']);
    const vigil = await startVigil({ VIGIL_BOOT_GRACE_SECONDS: '1' });
    t.teardown(() => stopVigil(vigil));
    await vigil.startRound();
    const running = (await docker(['ps', '--format', '{{.Names}}'])).split('\n').filter(Boolean);
    t.true(running.length >= 4, `running: ${running.join(', ')}`);
    await docker(['stop', ...running]);
    // vigil has recorded each as a person's stop before the engine goes
    await waitFor(
      async () => {
        const states = await Promise.all(
          running.map(async (n) => {
            const h = (await (await fetch(`${vigil.url}/api/v1/history/${n}`)).json()) as {
              intents: { desired: string; reason: string }[];
            };
            return h.intents.at(-1);
          }),
        );
        return states.every((i) => i?.desired === 'stopped' && /stopped on request/.test(i.reason));
      },
      { what: "each stop recorded as a person's" },
    );
    const events = await openSseClient(`${vigil.url}/api/v1/events?types=recovery.boot`);
    t.teardown(() => events.close());

    // the engine goes a moment after the last stop, with nothing left running: as a shutdown's own would
    await engine.down();
    await engine.up();
    const boot = await bootEvent(events);
    t.log(`the boot round: ${JSON.stringify(boot.data)}`);
    t.log(stopLines(vigil));
    t.is(boot.data.trigger, 'engine-restart');
    t.deepEqual(boot.data.recovered, [], 'vigil started none');
    // restart policy always: the engine starts it again itself at its own start, whoever stopped it
    for (const n of running.filter((name) => name !== 'r-always'))
      t.is(await status(n), 'exited', `${n} stays stopped`);
  },
);
