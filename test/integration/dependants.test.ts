import test from 'ava';
import { readlinkSync } from 'node:fs';
import { isEvent, type VigilEvent } from '../../src/streams/events.js';
import { docker, execEndingTheRun, runContainer, waitFor } from '../helpers/engine.js';
import { PrivateEngine } from '../helpers/private-engine.js';
import { startVigil, type RunningVigil } from '../helpers/vigil.js';

// A private engine: this file's vigil must be the only one acting on these containers.
const engine = new PrivateEngine();
let vigil: RunningVigil;
const events: VigilEvent[] = [];
const on = (args: string[]) => docker(args, engine.host);
const labelled = ['--label', 'vigil.autoheal=true', '--stop-timeout', '1'];
// pid 1 of the owner exits 3 on SIGTERM from inside: a crash, not a person's stop through the API
const crashable = ['sh', '-c', 'trap "exit 3" TERM; while :; do sleep 0.2; done'];

/** In the owner's network namespace (not --network none, which runContainer gives). */
const runSidecar = (name: string) =>
  on([
    'run',
    '-d',
    '--name',
    name,
    ...labelled,
    '--network',
    'container:owner',
    'vigil-test:latest',
    'sleep',
    '100000',
  ]);
const pidOf = async (name: string) => Number(await on(['inspect', '-f', '{{.State.Pid}}', name]));
const startedAt = (name: string) => on(['inspect', '-f', '{{.State.StartedAt}}', name]);
const netns = async (name: string) => readlinkSync(`/proc/${await pidOf(name)}/ns/net`);
const chains = (root: string) => events.filter(isEvent('recovery.dependants')).filter((e) => e.container.name === root);

test.before(async () => {
  await engine.up();
  vigil = await startVigil({ DOCKER_HOST: engine.host });
  vigil.vigil.bus.on('event', (e) => events.push(e));
  await waitFor(() => vigil.vigil.inventory.synced, { what: 'vigil synchronised' });
});

test.after.always(async () => {
  await vigil?.stop();
  await engine.destroy();
});

test.serial(
  'the owner crashes; vigil brings it back, then restarts its sidecar into the new network namespace, and leaves a stopped one stopped',
  async (t) => {
    await runContainer('owner', labelled, crashable, engine.host);
    await runSidecar('sidecar');
    await runSidecar('stopped-sidecar');
    await on(['stop', 'stopped-sidecar']); // a person's wish
    t.is(await netns('sidecar'), await netns('owner'));
    const before = { owner: await startedAt('owner'), sidecar: await startedAt('sidecar') };
    await waitFor(
      () => vigil.vigil.inventory.all().some((e) => e.record.name === 'stopped-sidecar' && e.record.state === 'exited'),
      {
        what: 'vigil to see the stopped sidecar',
      },
    );

    await execEndingTheRun('owner', ['kill', '-TERM', '1'], engine.host);
    const chain = await waitFor(() => chains('owner')[0], { what: "the owner's chain", timeoutMs: 30_000 });
    t.not(await startedAt('owner'), before.owner, 'the owner was restarted');
    t.not(await startedAt('sidecar'), before.sidecar, 'the sidecar was restarted after it');
    t.is(await netns('sidecar'), await netns('owner'), "the sidecar is in the owner's new namespace");
    t.is((await on(['inspect', '-f', '{{.State.Status}}', 'stopped-sidecar'])).trim(), 'exited');
    t.like(
      chain.data.steps.find((s) => s.name === 'sidecar'),
      { action: 'restart', outcome: 'success' },
    );
    t.like(
      chain.data.steps.find((s) => s.name === 'stopped-sidecar'),
      { action: 'none', outcome: 'skipped' },
    );
    t.regex(chain.data.steps.find((s) => s.name === 'stopped-sidecar')!.reason, /a person stopped it/);
    t.is(chains('owner').length, 1, 'one chain, told once');
    t.truthy(chain.host, 'the chain names its host');
  },
);

test.serial('the owner recreated under its name: its sidecar is recreated into the new owner', async (t) => {
  const oldSidecar = (await on(['inspect', '-f', '{{.Id}}', 'sidecar'])).trim();
  const marks = chains('owner').length;
  await on(['rm', '-f', 'owner']);
  await runContainer('owner', labelled, crashable, engine.host);
  const newOwner = (await on(['inspect', '-f', '{{.Id}}', 'owner'])).trim();
  await waitFor(() => chains('owner').length > marks, { what: 'the chain after the recreate', timeoutMs: 30_000 });
  const sidecar = (
    await on(['inspect', '-f', '{{.Id}} {{.HostConfig.NetworkMode}} {{.State.Status}}', 'sidecar'])
  ).trim();
  const [id, mode, status] = sidecar.split(' ');
  t.not(id, oldSidecar, 'a new sidecar');
  t.is(mode, `container:${newOwner}`);
  t.is(status, 'running');
  t.is(await netns('sidecar'), await netns('owner'));
  t.like(
    chains('owner')
      .at(-1)!
      .data.steps.find((s) => s.name === 'sidecar'),
    { action: 'recreate', outcome: 'success' },
  );
});

test.serial('two containers that depend on each other are reported as a cycle, and neither is restarted', async (t) => {
  await runContainer('ping', [...labelled, '--label', 'vigil.depends_on=pong'], ['sleep', '100000'], engine.host);
  await runContainer('pong', [...labelled, '--label', 'vigil.depends_on=ping'], ['sleep', '100000'], engine.host);
  const pongStarted = await startedAt('pong');
  await on(['restart', '-t', '1', 'ping']); // anyone bringing it back counts, a person too
  const cycle = await waitFor(() => events.find(isEvent('recovery.cycle')), { what: 'the cycle' });
  t.deepEqual([...new Set(cycle.data.cycle)].sort(), ['ping', 'pong']);
  t.is(await startedAt('pong'), pongStarted, 'pong was not restarted');
  t.is(chains('ping').length, 0);
});
