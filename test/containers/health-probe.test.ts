import test from 'ava';
import { containerHealth, healthSource } from '../../src/containers/health.js';
import { containerTransitions } from '../../src/containers/transitions.js';
import { containerDetail } from '../../src/containers/view.js';
import { newEntry } from '../../src/docker/inventory.js';
import { parseInspect, type InspectJson } from '../../src/docker/parse/inspect.js';
import { probesFamily } from '../../src/metrics/families/probes.js';
import { renderContainerMetrics } from '../../src/metrics/container-metrics.js';
import { probeSpec } from '../../src/probes/labels.js';
import { afterExecRun, freshProbeHealth, withStatus, type ProbeHealth } from '../../src/probes/state.js';
import { diagnose } from '../../src/recovery/decisions/diagnosis.js';
import { freshRecovery } from '../../src/store/recovery-state.js';
import { fixtureJson } from '../helpers/fixtures.js';

const plain = parseInspect(fixtureJson<InspectJson>('engine/inspect-fx-plain.json'));
const checked = parseInspect(fixtureJson<InspectJson>('engine/inspect-fx-health.json'));
const started = plain.startedAt!.getTime();
const spec = probeSpec({ 'vigil.probe.exec': 'cat /tmp/ok', 'vigil.probe.retries': '1' });

/** The exec probe's verdict after one run with this exit code, for the run that started at `runStartedAt`. */
function probed(exitCode: number, runStartedAt = started): ProbeHealth {
  const fresh = freshProbeHealth(spec.exec, null, [], runStartedAt);
  const run = { start: new Date(runStartedAt + 1000), end: new Date(runStartedAt + 1010), exitCode, output: 'gone' };
  return withStatus({ ...fresh, exec: afterExecRun(fresh.exec!, run, spec.exec!, runStartedAt) }, runStartedAt + 1010);
}
const entry = (record = plain, probe: ProbeHealth | null = null) => ({
  ...newEntry(record, new Date(started + 5000)),
  probe,
});

test("a running container without HEALTHCHECK takes its probes' health; healthy with none", (t) => {
  t.is(containerHealth(entry()), 'healthy');
  t.is(containerHealth(entry(plain, probed(0))), 'healthy');
  t.is(containerHealth(entry(plain, probed(1))), 'unhealthy');
  t.is(healthSource(entry(plain, probed(1))), 'probe');
  t.is(containerHealth(entry(plain, freshProbeHealth(spec.exec, null, [], started))), 'starting');
});

test('a verdict about an earlier run counts for nothing: the restarted container is starting', (t) => {
  t.is(containerHealth(entry(plain, probed(1, started - 60_000))), 'starting');
  const d = diagnose({
    ...{ record: plain, desired: undefined, recovery: freshRecovery('k'), imagePresent: true },
    now: started + 2000,
    probe: probed(1, started - 60_000),
  });
  t.is(d.kind, 'healthy');
});

test("a container with a HEALTHCHECK keeps the engine's verdict; its probe shows beside it", (t) => {
  const both = entry(checked, probed(0, checked.startedAt!.getTime()));
  t.is(healthSource(both), 'healthcheck');
  t.is(containerHealth(both), checked.health!.status);
  const detail = containerDetail(both, undefined, {
    now: new Date(),
    host: 'h',
    hostMemoryBytes: 1,
    labelAllowlist: [],
  });
  t.is(detail.healthSource, 'healthcheck');
  t.is(detail.probe?.status, 'healthy');
  t.truthy(detail.healthCheck);
  const text = renderContainerMetrics(probesFamily.metrics({ labels: [] }), {
    containers: () => [both],
    snapshot: () => undefined,
    hostMemoryBytes: () => 1,
    generation: () => 0,
    inventoryGeneration: () => 0,
  });
  const labels = `id="${checked.shortId}",name="${checked.name}"`;
  t.true(
    text.includes(
      `docker_container_check_status{${labels},source="healthcheck",status="${checked.health!.status}"} 1\n`,
    ),
  );
  t.true(text.includes(`docker_container_check_status{${labels},source="probe",status="healthy"} 1\n`));
});

test('the medic restarts for a failing probe, and its reason names the probe and its last output', (t) => {
  const d = diagnose({
    ...{ record: plain, desired: undefined, recovery: freshRecovery('k'), imagePresent: true },
    now: started + 2000,
    probe: probed(1),
  });
  t.like(d, { kind: 'act', action: 'restart' });
  t.is(d.reason, 'unhealthy: probe vigil.probe.exec "cat /tmp/ok" failed 1 times (last: gone)');
});

test('a probe turning unhealthy is a container.health event with source "probe" and its reason', (t) => {
  const before = entry(plain, probed(0));
  const after = entry(plain, probed(1));
  const [event] = containerTransitions(before, after);
  t.like(event, {
    type: 'container.health',
    data: { from: 'healthy', to: 'unhealthy', source: 'probe', failingStreak: 1 },
  });
  t.regex((event?.data as { reason: string }).reason, /vigil\.probe\.exec "cat \/tmp\/ok" failed/);
});

test('a bad label is in the API answer as probeError, and the probe it belongs to does not decide health', (t) => {
  const bad = probeSpec({
    'vigil.probe.exec': 'cat "/tmp/ok',
    'vigil.probe.log.window': 'soon',
    'vigil.probe.log': 'x',
  });
  const probe = freshProbeHealth(
    bad.exec,
    bad.log,
    bad.errors.map((e) => `${e.label}: ${e.message}`),
    started,
  );
  const e = entry(plain, probe);
  t.is(healthSource(e), 'state');
  t.is(containerHealth(e), 'healthy');
  const detail = containerDetail(e, undefined, { now: new Date(), host: 'h', hostMemoryBytes: 1, labelAllowlist: [] });
  t.regex(
    detail.probeError!,
    /vigil\.probe\.exec: has an unterminated double quote; vigil\.probe\.log\.window: "soon" is not a duration/,
  );
  t.is(detail.probe, null);
});
