import test from 'ava';
import { containerSummaryKeys } from '../helpers/shapes.js';
import {
  containerDetail,
  containerStats,
  containerSummary,
  formatUptime,
  healthSummary,
  lastHealthCheck,
  pickLabels,
} from '../../src/containers/view.js';
import { containerHealth } from '../../src/containers/health.js';
import { newEntry } from '../../src/docker/inventory.js';
import { parseInspect, type InspectJson } from '../../src/docker/parse/inspect.js';
import type { ContainerRecord } from '../../src/docker/types.js';
import type { ContainerSnapshot } from '../../src/sampler.js';
import { fixtureJson } from '../helpers/fixtures.js';

const record = (name: string) => parseInspect(fixtureJson<InspectJson>(`engine/inspect-${name}.json`));
const MIB = 1024 * 1024;
const ctx = (now: Date) => ({
  now,
  host: 'host-a',
  hostMemoryBytes: 8192 * MIB,
  labelAllowlist: ['forge.agent.type', 'forge.project.id'],
});

const snapshot = (r: ContainerRecord, over: Partial<ContainerSnapshot['sample']> = {}): ContainerSnapshot => ({
  sampledAt: Date.parse('2026-11-22T06:00:00Z'),
  cpuPercent: 12.345,
  source: 'cgroup',
  pid: r.pid,
  sample: {
    cpuSeconds: 10,
    memoryUsageBytes: 300 * MIB,
    memoryWorkingSetBytes: 245 * MIB,
    memoryLimitBytes: null,
    networkRxBytes: 1.02 * MIB,
    networkTxBytes: 0.51 * MIB,
    blockReadBytes: 15.3 * MIB,
    blockWriteBytes: 2.1 * MIB,
    pids: 12,
    ...over,
  },
});

test('uptime reads like Go durations', (t) => {
  t.is(formatUptime(0), '0s');
  t.is(formatUptime(45_900), '45s');
  t.is(formatUptime((2 * 3600 + 30 * 60 + 15) * 1000), '2h30m15s');
  t.is(formatUptime((26 * 3600 + 5) * 1000), '26h0m5s');
  t.is(formatUptime(-5), '0s');
});

/** Health of a container vigil has watched all along and saw no kill of. */
const effectiveHealth = (r: ContainerRecord) =>
  containerHealth({ record: r, stopRequestedAt: null, watchedSince: new Date(0) });

test('health: the HEALTHCHECK when there is one, else inferred from state', (t) => {
  t.is(effectiveHealth(record('fx-health')), 'unhealthy');
  t.is(effectiveHealth(record('fx-plain')), 'healthy', 'running without a check');
  t.is(effectiveHealth(record('fx-exited')), 'unhealthy', 'exit code 3');
  t.is(effectiveHealth({ ...record('fx-exited'), exitCode: 0 }), 'none', 'a finished job');
  t.is(effectiveHealth({ ...record('fx-exited'), exitCode: 0, oomKilled: true }), 'unhealthy');
  t.is(effectiveHealth(record('fx-created')), 'none');
  t.is(effectiveHealth({ ...record('fx-plain'), state: 'restarting' }), 'unhealthy');
  // a stopped container's last probe result is history, not its health now
  t.is(effectiveHealth({ ...record('fx-health'), state: 'exited', exitCode: 0 }), 'none');
});

test('the summary entry has exactly the DESIGN.md shape and units', (t) => {
  const r = record('fx-plain');
  const now = new Date(r.startedAt!.getTime() + 9015_000);
  const s = containerSummary(newEntry(r, now), snapshot(r), ctx(now));
  t.deepEqual(Object.keys(s).sort(), containerSummaryKeys);
  t.deepEqual(
    Object.keys(s.resources).sort(),
    [
      'blockReadMB',
      'blockWriteMB',
      'cpuPercent',
      'memoryLimitMB',
      'memoryPercent',
      'memoryUsageMB',
      'networkRxMB',
      'networkTxMB',
      'pids',
    ].sort(),
  );
  t.is(s.uptime, '2h30m15s');
  t.deepEqual(s.resources, {
    cpuPercent: 12.35,
    memoryUsageMB: 245,
    memoryLimitMB: 8192,
    memoryPercent: 2.99,
    networkRxMB: 1.02,
    networkTxMB: 0.51,
    blockReadMB: 15.3,
    blockWriteMB: 2.1,
    pids: 12,
  });
  t.deepEqual(s.labels, { 'forge.agent.type': 'ideation', 'forge.project.id': 'cml0eisc80001p214tg6z7v5t' });
  t.is(s.status, 'running');
});

test('a container limit is used for the percentage when it has one', (t) => {
  const r = record('fx-limited');
  const s = containerSummary(
    newEntry(r, new Date()),
    snapshot(r, { memoryLimitBytes: 64 * MIB, memoryWorkingSetBytes: 16 * MIB }),
    ctx(new Date()),
  );
  t.is(s.resources.memoryLimitMB, 64);
  t.is(s.resources.memoryPercent, 25);
});

test('a stopped container reports zero usage and zero uptime', (t) => {
  const r = record('fx-exited');
  const s = containerSummary(newEntry(r, new Date()), undefined, ctx(new Date()));
  t.is(s.uptime, '0s');
  t.is(s.resources.cpuPercent, 0);
  t.is(s.resources.pids, 0);
  t.is(s.resources.memoryLimitMB, 8192);
});

test('last health check: the last probe when checked, else when vigil last looked', (t) => {
  const h = record('fx-health');
  t.deepEqual(lastHealthCheck(newEntry(h, new Date(0)), undefined), h.health!.log.at(-1)!.end);
  const p = record('fx-plain');
  const observed = new Date('2026-11-22T05:00:00Z');
  t.deepEqual(lastHealthCheck(newEntry(p, observed), snapshot(p)), new Date('2026-11-22T06:00:00Z'));
  t.deepEqual(lastHealthCheck(newEntry(p, observed), undefined), observed);
});

test('the summary counts healthy and unhealthy and sorts by name', (t) => {
  const now = new Date();
  const list = ['fx-plain', 'fx-health', 'fx-exited', 'fx-created'].map((n) =>
    containerSummary(newEntry(record(n), now), undefined, ctx(now)),
  );
  const s = healthSummary(list, ctx(now));
  t.is(s.total, 4);
  t.is(s.healthy, 1);
  t.is(s.unhealthy, 2);
  t.deepEqual(
    s.containers.map((c) => c.name),
    ['fx-created', 'fx-exited', 'fx-health', 'fx-plain'],
  );
  t.is(s.timestamp, now.toISOString());
});

test('the detail carries the probe log, every label, restarts and OOM kills', (t) => {
  const r = record('fx-health');
  const d = containerDetail({ ...newEntry(r, new Date()), restarts: 2, oomKills: 1 }, undefined, ctx(new Date()));
  t.is(d.healthCheck?.status, 'unhealthy');
  t.is(d.healthCheck?.log.length, r.health!.log.length);
  t.is(d.restarts, 2);
  t.is(d.oomKills, 1);
  t.is(d.fullId, r.id);
});

test('stats give base units beside the percentages', (t) => {
  const r = record('fx-limited');
  const st = containerStats(
    newEntry(r, new Date()),
    snapshot(r, { memoryLimitBytes: 64 * MIB, memoryWorkingSetBytes: 32 * MIB }),
    ctx(new Date()),
  );
  t.is(st.memory.limitBytes, 64 * MIB);
  t.true(st.memory.limited);
  t.is(st.memory.percent, 50);
  t.is(st.cpu.limitCores, 0.5);
  t.is(st.pids, 12);
  t.is(st.source, 'cgroup');
});

test('only allowlisted labels are picked', (t) => {
  t.deepEqual(pickLabels({ a: '1', b: '2', secret: 'x' }, ['a', 'b', 'c']), { a: '1', b: '2' });
});

test('an exited container reads its exit time and code; a running one has none', (t) => {
  const exited = record('fx-exited');
  const now = new Date(exited.finishedAt!.getTime() + 180_000);
  const view = containerSummary(newEntry(exited, now), undefined, ctx(now)).state;
  t.is(view.status, 'exited');
  t.is(view.exitedAt, exited.finishedAt!.toISOString());
  t.is(view.exitCode, exited.exitCode);
  const running = record('fx-plain');
  const runningView = containerSummary(newEntry(running, now), snapshot(running), ctx(now)).state;
  t.deepEqual([runningView.exitedAt, runningView.exitCode], [null, null]);
  t.is(runningView.startedAt, running.startedAt!.toISOString());
});

test('a container that exited at once reads its exit, though the engine stamped its exit before its start', (t) => {
  // recorded from the engine: `sh -c '…; exit 3'` under load, FinishedAt 0.7 ms before StartedAt
  const quick = record('fx-exited-fast');
  t.true(quick.finishedAt! < quick.startedAt!, 'the fixture holds the engine’s order of stamps');
  const now = new Date(quick.finishedAt!.getTime() + 5_000);
  const view = containerSummary(newEntry(quick, now), undefined, ctx(now)).state;
  t.deepEqual([view.status, view.exitedAt, view.exitCode], ['exited', quick.finishedAt!.toISOString(), 3]);
});

test('a created container that never ran has no exit', (t) => {
  const view = containerSummary(newEntry(record('fx-created'), new Date()), undefined, ctx(new Date())).state;
  t.deepEqual([view.status, view.exitedAt, view.exitCode], ['created', null, null]);
});

test('memory in bytes with its own limit or null, CPU in cores with the limit in cores', (t) => {
  const r = { ...record('fx-plain'), limits: { memoryBytes: null, cpuCores: 1.5 } };
  const now = new Date(r.startedAt!.getTime() + 60_000);
  const snap = { ...snapshot(r), cpuPercent: 50, sample: { ...snapshot(r).sample, memoryLimitBytes: null } };
  const s = containerSummary(newEntry(r, now), snap, ctx(now));
  t.is(s.cpu.cores, 0.5);
  t.is(s.cpu.limitCores, 1.5);
  t.is(s.memory.limitBytes, null, 'no limit of its own: not the host memory passed off as one');
  t.is(s.memory.usageBytes, snap.sample.memoryWorkingSetBytes);
  t.true(s.memory.hostBytes > 0);
});

test('health says where it comes from: the HEALTHCHECK while running, else the state', (t) => {
  const now = new Date();
  t.is(containerSummary(newEntry(record('fx-health'), now), undefined, ctx(now)).healthSource, 'healthcheck');
  t.is(containerSummary(newEntry(record('fx-plain'), now), undefined, ctx(now)).healthSource, 'state');
  t.is(containerSummary(newEntry(record('fx-exited'), now), undefined, ctx(now)).healthSource, 'state');
});
