import test from 'ava';
import {
  engineShutdownStops,
  intentFromEvent,
  intentFromExit,
  isPersonStop,
  KILL_TO_DIE_WINDOW_MS,
} from '../../../src/recovery/decisions/intent.js';
import { actionPermitted, engineWillRestart } from '../../../src/recovery/decisions/policy.js';
import { containerKey, ownContainerId } from '../../../src/recovery/identity.js';
import type { ContainerEvent } from '../../../src/docker/types.js';

const ms = (n: number) => BigInt(n) * 1_000_000n;
const ev = (action: ContainerEvent['action'], atMs: number, extra: Partial<ContainerEvent> = {}): ContainerEvent => ({
  id: 'c',
  name: 'c',
  attributes: {},
  action,
  timeNano: ms(atMs),
  ...extra,
});

test('start means should run', (t) => {
  t.like(intentFromEvent(ev('start', 0), {}, 'no').change, { desired: 'running' });
});

test('a kill then a die is a stop on request, by kill', (t) => {
  const { memory } = intentFromEvent(ev('kill', 1000, { signal: 15 }), {}, 'no');
  const { change } = intentFromEvent(ev('die', 3000, { exitCode: 143 }), memory, 'no');
  t.like(change, { desired: 'stopped', byKill: true });
  t.regex(change!.reason, /signal 15/);
});

test("a die long after a kill is not that kill's doing", (t) => {
  const { memory } = intentFromEvent(ev('kill', 0), {}, 'no');
  t.like(intentFromEvent(ev('die', KILL_TO_DIE_WINDOW_MS + 1, { exitCode: 1 }), memory, 'no').change, {
    desired: 'running',
    byKill: false,
  });
});

test('a die with no kill: exit 0 is a finished job, anything else a crash', (t) => {
  t.like(intentFromEvent(ev('die', 0, { exitCode: 0 }), {}, 'no').change, { desired: 'stopped' });
  t.like(intentFromEvent(ev('die', 0, { exitCode: 0 }), {}, 'always').change, { desired: 'running' });
  t.like(intentFromEvent(ev('die', 0, { exitCode: 137 }), {}, 'no').change, {
    desired: 'running',
    reason: 'crashed (exit code 137)',
  });
});

test("a person's stop is told from a finished job by what the intent says of it", (t) => {
  const { memory } = intentFromEvent(ev('kill', 1000, { signal: 15 }), {}, 'no');
  t.true(isPersonStop(intentFromEvent(ev('die', 3000, { exitCode: 143 }), memory, 'no').change!));
  t.false(isPersonStop(intentFromEvent(ev('die', 0, { exitCode: 0 }), {}, 'no').change!));
  t.true(isPersonStop({ desired: 'stopped', reason: "stopped by a person through vigil's page" }));
  t.false(
    isPersonStop({ desired: 'running', reason: 'stopped on request; the stop came from the engine shutting down' }),
  );
});

test('docker restart ends as should run', (t) => {
  let memory = {};
  let last;
  for (const e of [
    ev('kill', 0, { signal: 15 }),
    ev('die', 100, { exitCode: 143 }),
    ev('stop', 110),
    ev('start', 200),
    ev('restart', 210),
  ]) {
    const step = intentFromEvent(e, memory, 'no');
    memory = step.memory;
    if (step.change) last = step.change;
  }
  t.like(last, { desired: 'running' });
});

test('policy: the label wins over the scope; actions can be narrowed', (t) => {
  t.true(actionPermitted({}, 'all', 'restart').allowed);
  t.false(actionPermitted({ 'vigil.autoheal': 'false' }, 'all', 'restart').allowed);
  t.false(actionPermitted({}, 'labelled', 'restart').allowed);
  t.true(actionPermitted({ 'vigil.autoheal': 'true' }, 'labelled', 'restart').allowed);
  t.false(actionPermitted({}, 'off', 'start').allowed);
  t.true(actionPermitted({ 'vigil.autoheal': 'true' }, 'off', 'start').allowed);
  const narrowed = { 'vigil.autoheal': 'true', 'vigil.autoheal.actions': 'restart, start' };
  t.true(actionPermitted(narrowed, 'labelled', 'start').allowed);
  t.regex(actionPermitted(narrowed, 'labelled', 'recreate').why, /does not allow recreate/);
});

test('the engine restarts always and unless-stopped, on-failure only after an exit with retries left', (t) => {
  const r = (name: string, exitCode: number, restartCount = 0, max = 0) => ({
    restartPolicy: { name, maximumRetryCount: max },
    exitCode,
    restartCount,
  });
  t.true(engineWillRestart(r('always', 0), 'exit', false));
  t.true(engineWillRestart(r('unless-stopped', 1), 'engine-restart', false));
  t.false(engineWillRestart(r('always', 1), 'exit', true), 'not what the user stopped');
  t.true(engineWillRestart(r('on-failure', 1, 1, 3), 'exit', false));
  t.false(engineWillRestart(r('on-failure', 1, 3, 3), 'exit', false));
  t.false(engineWillRestart(r('on-failure', 0), 'exit', false));
  t.false(engineWillRestart(r('on-failure', 1), 'engine-restart', false));
  t.false(engineWillRestart(r('no', 1), 'exit', false));
});

test('a container is keyed by compose service and replica, else by its id (never its name)', (t) => {
  t.is(containerKey({ id: 'abc', labels: {} }), 'id:abc');
  t.is(
    containerKey({
      id: 'def',
      labels: {
        'com.docker.compose.project': 'p',
        'com.docker.compose.service': 'web',
        'com.docker.compose.container-number': '2',
      },
    }),
    'compose:p/web/2',
  );
});

test('vigil finds its own container id in cgroup v1, v2 systemd, and mountinfo', (t) => {
  const id = 'a'.repeat(64);
  t.is(ownContainerId(`12:memory:/docker/${id}\n`, ''), id);
  t.is(ownContainerId(`0::/system.slice/docker-${id}.scope\n`, ''), id);
  t.is(
    ownContainerId('0::/\n', `1 2 0:1 /var/lib/docker/containers/${id}/hostname /etc/hostname rw - ext4 /dev/vda rw\n`),
    id,
  );
  t.is(ownContainerId('0::/user.slice\n', ''), null);
});

test('a SIGKILL after the stop timeout belongs to the stop its SIGTERM began', (t) => {
  let { memory } = intentFromEvent(ev('kill', 1000, { signal: 15 }), {}, 'no');
  ({ memory } = intentFromEvent(ev('kill', 11_000, { signal: 9 }), memory, 'no'));
  const { change } = intentFromEvent(ev('die', 11_100, { exitCode: 137 }), memory, 'no');
  t.like(change, { desired: 'stopped', killAt: 1000 });
  t.regex(change!.reason, /signal 15/);
});

test("the engine shutting down: stops after whose kill it refused a new connection are its own, one it took a connection after a person's", (t) => {
  // `docker stop cb` 2.2 s before the engine was stopped, then the shutdown's stops of ca and cc
  const stops = [
    { key: 'cb', killAt: 1_000, dieAt: 3_170 },
    { key: 'ca', killAt: 3_250, dieAt: 5_340 },
    { key: 'cc', killAt: 3_260, dieAt: 3_300 },
  ];
  t.deepEqual(
    engineShutdownStops(stops, ['accepted', 'refused', 'refused']).map((s) => s.key),
    ['ca', 'cc'],
  );
  t.deepEqual(engineShutdownStops([], []), []);
});

test("what the engine said tells, not the timing: a person's stop of everything just before the engine went is kept", (t) => {
  // every container stopped in one burst, the engine gone 1 s after: the old rule (the stream lost
  // within 5 s of the last die, nothing left running) took these stops back, and vigil restarted them
  const everything = [
    { key: 'a', killAt: 1_000, dieAt: 1_050 },
    { key: 'b', killAt: 1_010, dieAt: 1_060 },
  ];
  t.deepEqual(engineShutdownStops(everything, ['accepted', 'accepted']), []);
  t.deepEqual(
    engineShutdownStops(everything, ['unknown', 'unknown']),
    [],
    'a busy engine that did not answer tells nothing',
  );
});

const exited = (labels: Record<string, string>, exitCode: number | null, oomKilled = false) => ({
  labels,
  state: 'exited' as const,
  exitCode,
  oomKilled,
});
const labelled = { 'vigil.autoheal': 'true' };

test('where no event tells: a labelled container that exited non-zero without a sign of a kill crashed', (t) => {
  t.like(intentFromExit(exited(labelled, 1)), { desired: 'running' });
  t.regex(intentFromExit(exited(labelled, 3))!.reason, /crashed while vigil was away \(exit code 3\)/);
  t.like(intentFromExit(exited(labelled, 139)), { desired: 'running' }, 'a segfault is a crash');
  t.like(intentFromExit(exited(labelled, 137, true)), { desired: 'running' }, 'the OOM killer is a crash');
  t.is(intentFromExit(exited(labelled, 137)), null, "SIGKILL's code may be docker stop: vigil cannot know");
  t.is(intentFromExit(exited(labelled, 143)), null, "SIGTERM's code may be docker stop");
  t.is(intentFromExit(exited(labelled, 0)), null, 'a job that finished');
  t.is(intentFromExit(exited({}, 1)), null, 'an unlabelled container is left to its events');
  t.is(intentFromExit({ ...exited(labelled, 1), state: 'running' as const }), null);
});
