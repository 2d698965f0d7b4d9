import test from 'ava';
import { cpuLimitCores, parseEngineTime, parseInspect, type InspectJson } from '../../../src/docker/parse/inspect.js';
import { fixtureJson } from '../../helpers/fixtures.js';

const inspect = (name: string) => parseInspect(fixtureJson<InspectJson>(`engine/inspect-${name}.json`));

test('a running container with labels: identity, state, start time, no health check', (t) => {
  const c = inspect('fx-plain');
  t.is(c.name, 'fx-plain');
  t.is(c.shortId, c.id.slice(0, 12));
  t.is(c.id.length, 64);
  t.is(c.state, 'running');
  t.true(c.pid > 0);
  t.is(c.exitCode, 0);
  t.truthy(c.startedAt);
  t.is(c.finishedAt, null, "Go's zero time means never");
  t.is(c.health, null);
  t.deepEqual(c.labels, { 'forge.agent.type': 'ideation', 'forge.project.id': 'cml0eisc80001p214tg6z7v5t' });
  t.deepEqual(c.limits, { memoryBytes: null, cpuCores: null });
});

test('a failing health check: status, failing streak and the probe log', (t) => {
  const c = inspect('fx-health');
  t.is(c.health?.status, 'unhealthy');
  t.true(c.health!.failingStreak >= 1);
  t.true(c.health!.log.length > 0);
  t.is(c.health!.log.at(-1)!.exitCode, 1);
  t.true(c.health!.log.at(-1)!.end instanceof Date);
});

test('an exited container keeps its exit code and finish time', (t) => {
  const c = inspect('fx-exited');
  t.is(c.state, 'exited');
  t.is(c.exitCode, 3);
  t.truthy(c.finishedAt);
  t.is(c.pid, 0);
});

test('a created container has no exit code and no start time', (t) => {
  const c = inspect('fx-created');
  t.is(c.state, 'created');
  t.is(c.exitCode, null);
  t.is(c.startedAt, null);
});

test('limits and restart policy come from HostConfig', (t) => {
  const c = inspect('fx-limited');
  t.deepEqual(c.limits, { memoryBytes: 64 * 1024 * 1024, cpuCores: 0.5 });
  t.deepEqual(c.restartPolicy, { name: 'unless-stopped', maximumRetryCount: 0 });
});

test('a CFS quota without NanoCpus gives cores over the period, 100 ms by default', (t) => {
  t.is(cpuLimitCores({ CpuQuota: 150_000, CpuPeriod: 100_000 }), 1.5);
  t.is(cpuLimitCores({ CpuQuota: 50_000 }), 0.5);
  t.is(cpuLimitCores({ CpuQuota: -1 }), null);
  t.is(cpuLimitCores({}), null);
});

test('a HEALTHCHECK disabled with NONE counts as none', (t) => {
  const json = fixtureJson<InspectJson>('engine/inspect-fx-health.json');
  json.Config.Healthcheck = { Test: ['NONE'] };
  t.is(parseInspect(json).health, null);
});

test('an unknown state from a newer engine is not taken for running', (t) => {
  const json = fixtureJson<InspectJson>('engine/inspect-fx-plain.json');
  json.State.Status = 'hibernating';
  t.is(parseInspect(json).state, 'dead');
});

test('engine times: the zero time and garbage are null', (t) => {
  t.is(parseEngineTime('0001-01-01T00:00:00Z'), null);
  t.is(parseEngineTime('not a time'), null);
  t.is(parseEngineTime(undefined), null);
  t.is(parseEngineTime('2026-11-22T05:59:07.729516888Z')?.toISOString(), '2026-11-22T05:59:07.729Z');
});
