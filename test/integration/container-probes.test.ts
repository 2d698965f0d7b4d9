import test from 'ava';
import pLimit from 'p-limit';
import type { SweepReport } from '../../src/sampler.js';
import { docker as dockerOn, runContainer as runOn, uniqueName, waitFor } from '../helpers/engine.js';
import { PrivateEngine } from '../helpers/private-engine.js';
import { actingVigil, ofContainer, type RunningVigil } from '../helpers/vigil.js';

// Probes declared with labels (issue 25) on the real engine, busybox without a HEALTHCHECK. The medic
// acts on containers: this file's vigil is the only one on its own engine.
const engine = new PrivateEngine();
const docker = (args: string[]) => dockerOn(args, engine.host);
const runContainer = (n: string, options: string[], command: string[]) => runOn(n, options, command, engine.host);

test.before(() => engine.up());
test.after.always(() => engine.destroy());

const probingVigil = (env: Record<string, string> = {}) => actingVigil(engine.host, env);

interface HistoryAnswer {
  actions: { action: string; reason: string; outcome: string }[];
}
interface DetailAnswer {
  status: string;
  health: string;
  healthSource: string;
  probe: { status: string; exec: { failingStreak: number } | null; log: { lastMatch: unknown } | null } | null;
  probeError: string | null;
}
const detail = async (v: RunningVigil, n: string) =>
  (await (await v.get(`/api/v1/containers/${n}/health`)).json()) as DetailAnswer;

test.serial(
  'an exec probe that starts failing makes the container unhealthy; with vigil.autoheal=true it is restarted and its history names the probe',
  async (t) => {
    const { vigil, events } = await probingVigil();
    t.teardown(() => vigil.stop());
    const n = uniqueName('probe-exec');
    const labels = ['vigil.autoheal=true', 'vigil.probe.exec=cat /tmp/ok', 'vigil.probe.interval=1s']
      .concat(['vigil.probe.timeout=3s', 'vigil.probe.retries=2'])
      .flatMap((l) => ['--label', l]);
    await runContainer(n, [...labels, '--stop-timeout', '1'], ['sh', '-c', 'touch /tmp/ok; exec sleep 100000']);
    await waitFor(async () => (await detail(vigil, n)).health === 'healthy', { what: 'healthy by its probe' });
    t.like(await detail(vigil, n), { healthSource: 'probe', probeError: null, probe: { status: 'healthy' } });
    const startedBefore = await docker(['inspect', '-f', '{{.State.StartedAt}}', n]);

    await docker(['exec', n, 'rm', '/tmp/ok']);
    const unhealthy = await waitFor(
      () => ofContainer(events, n, 'container.health').find((e) => e.data.to === 'unhealthy'),
      { what: 'unhealthy', timeoutMs: 30_000 },
    );
    t.like(unhealthy.data, { source: 'probe', failingStreak: 2 });
    const restarted = await waitFor(
      () => ofContainer(events, n, 'recovery.action').find((e) => e.data.action === 'restart'),
      { what: 'the restart done', timeoutMs: 30_000 },
    );
    t.is(restarted.data.outcome, 'success');
    t.not(await docker(['inspect', '-f', '{{.State.StartedAt}}', n]), startedBefore, 'the container was restarted');
    const history = (await (await vigil.get(`/api/v1/history/${n}`)).json()) as HistoryAnswer;
    const restart = history.actions.find((a) => a.action === 'restart');
    t.regex(
      restart?.reason ?? '',
      /^unhealthy: probe vigil\.probe\.exec "cat \/tmp\/ok" failed 2 times \(last: .*No such file/,
    );
    // the new run touches /tmp/ok again: its probe says healthy, and the medic does not restart it again
    await waitFor(async () => (await detail(vigil, n)).health === 'healthy', { what: 'healthy after the restart' });
    t.is(ofContainer(events, n, 'recovery.action').length, 1);
    await docker(['rm', '-f', n]);
  },
);

test.serial(
  'a log line matching vigil.probe.log makes the container unhealthy; with vigil.autoheal=true it is restarted and its history names the probe',
  async (t) => {
    const { vigil, events } = await probingVigil();
    t.teardown(() => vigil.stop());
    const n = uniqueName('probe-log');
    const labels = ['vigil.autoheal=true', 'vigil.probe.log=FATAL: (disk|db) [a-z]+', 'vigil.probe.log.window=1m'];
    // it says FATAL once, when /tmp/fail appears; a restart begins without the file, and says nothing
    const script =
      'rm -f /tmp/fail; echo starting; while true; do [ -f /tmp/fail ] && echo "FATAL: disk gone" && rm /tmp/fail; sleep 0.2; done';
    await runContainer(n, [...labels.flatMap((l) => ['--label', l]), '--stop-timeout', '1'], ['sh', '-c', script]);
    await waitFor(async () => (await detail(vigil, n)).health === 'healthy', { what: 'healthy: no line matched' });
    t.like(await detail(vigil, n), { healthSource: 'probe', probe: { log: { lastMatch: null } } });

    await docker(['exec', n, 'touch', '/tmp/fail']);
    const unhealthy = await waitFor(
      () => ofContainer(events, n, 'container.health').find((e) => e.data.to === 'unhealthy'),
      { what: 'unhealthy', timeoutMs: 30_000 },
    );
    t.like(unhealthy.data, { source: 'probe' });
    t.regex(String(unhealthy.data.reason), /vigil\.probe\.log .* matched "FATAL: disk gone"/);
    const restarted = await waitFor(
      () => ofContainer(events, n, 'recovery.action').find((e) => e.data.action === 'restart'),
      { what: 'the restart done', timeoutMs: 30_000 },
    );
    t.is(restarted.data.outcome, 'success');
    const history = (await (await vigil.get(`/api/v1/history/${n}`)).json()) as HistoryAnswer;
    t.regex(
      history.actions.find((a) => a.action === 'restart')?.reason ?? '',
      /^unhealthy: probe vigil\.probe\.log .* matched "FATAL: disk gone"/,
    );
    // the line was the earlier run's: the new run is healthy, not restarted again within the window
    await waitFor(async () => (await detail(vigil, n)).health === 'healthy', { what: 'healthy after the restart' });
    t.is(ofContainer(events, n, 'recovery.action').length, 1);
    await docker(['rm', '-f', n]);
  },
);

test.serial('a bad probe label is said once in the log and in the API answer, and vigil goes on', async (t) => {
  const { vigil } = await probingVigil();
  t.teardown(() => vigil.stop());
  const n = uniqueName('probe-bad');
  const labels = ['vigil.probe.exec=cat /tmp/ok', 'vigil.probe.interval=often', 'vigil.probe.log=(?<=x)y'];
  await runContainer(
    n,
    labels.flatMap((l) => ['--label', l]),
    ['sleep', '100000'],
  );
  // the error is there from the container's creation on; its health once it runs
  const answer = await waitFor(
    async () => {
      const d = await detail(vigil, n);
      return d.probeError && d.status === 'running' ? d : null;
    },
    { what: 'the probe error in the API of the running container' },
  );
  t.regex(answer.probeError!, /vigil\.probe\.interval: "often" is not a duration/);
  t.regex(answer.probeError!, /vigil\.probe\.log: is not a valid RE2 expression/);
  t.like(answer, { health: 'healthy', healthSource: 'state', probe: null });
  await docker(['restart', '-t', '0', n]);
  await waitFor(async () => (await detail(vigil, n)).status === 'running', { what: 'running again' });
  const said = vigil.logs.filter((l) => l.msg.startsWith('probe labels that cannot be used') && l.container === n);
  t.is(said.length, 1, 'said once, not again for the restart');
  t.is((await vigil.get('/health/live')).status, 200);
  await docker(['rm', '-f', n]);
});

test.serial('50 probed containers with a hung probe each do not delay the sweep', async (t) => {
  const { vigil } = await probingVigil({ VIGIL_PROBE_CONCURRENCY: '8' });
  t.teardown(() => vigil.stop());
  const labels = ['vigil.probe.exec=sleep 3600', 'vigil.probe.interval=2s', 'vigil.probe.timeout=2s']
    .concat(['vigil.probe.retries=1'])
    .flatMap((l) => ['--label', l]);
  const names = Array.from({ length: 50 }, (_, i) => uniqueName(`probe-hung-${i}`));
  const limit = pLimit(4);
  await Promise.all(names.map((n) => limit(() => runContainer(n, labels, ['sleep', '100000']))));
  t.teardown(() => docker(['rm', '-f', ...names]).then(() => undefined));
  await waitFor(() => names.every((n) => vigil.vigil.inventory.all().some((e) => e.record.name === n)), {
    what: 'all 50 in the inventory',
  });

  const sweeps: SweepReport[] = [];
  vigil.vigil.sampler.on('sweep', (report) => sweeps.push(report));
  const timeoutsBefore = vigil.vigil.prober.timeouts;
  // every one of them has hung and been ended at its timeout, some more than once
  await waitFor(() => vigil.vigil.prober.timeouts - timeoutsBefore >= 50, {
    what: '50 probes timed out',
    timeoutMs: 120_000,
  });
  const during = sweeps.filter((s) => s.containers >= 50);
  t.log(
    `${during.length} sweeps while the probes hung; longest ${Math.max(...during.map((s) => s.wallSeconds)).toFixed(3)} s`,
  );
  t.true(during.length >= 3, `${during.length} sweeps`);
  for (const sweep of during) {
    t.is(sweep.unread, 0, 'every container read in every sweep');
    // a sweep that waited for a hung probe would take its timeout at least
    t.true(sweep.wallSeconds < 2, `a sweep took ${sweep.wallSeconds} s`);
  }
  const unhealthy = names.filter(
    (n) => vigil.vigil.inventory.all().find((e) => e.record.name === n)?.probe?.status === 'unhealthy',
  );
  t.true(unhealthy.length >= 40, `${unhealthy.length} of 50 marked unhealthy by their hung probe`);
  // the hung processes were ended, not left to pile up: one per container at most is running
  const running = await docker(['exec', names[0]!, 'sh', '-c', 'ps -o comm | grep -c "^sleep$" || true']);
  t.true(Number(running) <= 2, `${running} sleeps in the container (its own and at most one probe)`);
});
