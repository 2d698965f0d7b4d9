import test from 'ava';
import fc from 'fast-check';
import { probeSpec } from '../../src/probes/labels.js';
import { nextRunAt, phaseOf } from '../../src/probes/schedule.js';
import {
  afterExecRun,
  afterLogMatch,
  freshProbeHealth,
  probeFailureReason,
  verdictChanged,
  withStatus,
  type ExecRun,
} from '../../src/probes/state.js';

const T = Date.parse('2026-12-01T10:00:00Z');
const run = (offsetMs: number, exitCode: number | null, output = ''): ExecRun => ({
  start: new Date(T + offsetMs),
  end: new Date(T + offsetMs + 10),
  exitCode,
  output,
});
const spec = probeSpec({ 'vigil.probe.exec': 'cat /tmp/ok', 'vigil.probe.log': 'FATAL' });

test('exec probe: starting, unhealthy after `retries` failures in a row, healthy again after one success', (t) => {
  let state = freshProbeHealth(spec.exec, null, [], T).exec!;
  t.is(state.status, 'starting');
  const rules = { retries: 3, startPeriodMs: 0 };
  state = afterExecRun(state, run(1000, 1), rules, T);
  state = afterExecRun(state, run(2000, 1), rules, T);
  t.is(state.status, 'starting');
  t.is(state.failingStreak, 2);
  state = afterExecRun(state, run(3000, null, 'timed out after 5000 ms'), rules, T);
  t.is(state.status, 'unhealthy');
  t.is(state.last?.output, 'timed out after 5000 ms');
  state = afterExecRun(state, run(4000, 0), rules, T);
  t.deepEqual([state.status, state.failingStreak], ['healthy', 0]);
  state = afterExecRun(state, run(5000, 1), rules, T);
  t.is(state.status, 'healthy', 'one failure of a healthy probe is not yet ill-health');
});

test('exec probe: failures within the start period do not count', (t) => {
  let state = freshProbeHealth(spec.exec, null, [], T).exec!;
  const rules = { retries: 1, startPeriodMs: 10_000 };
  state = afterExecRun(state, run(5000, 1), rules, T);
  t.deepEqual([state.status, state.failingStreak], ['starting', 0]);
  state = afterExecRun(state, run(11_000, 1), rules, T);
  t.is(state.status, 'unhealthy');
});

test('log probe: a match makes it unhealthy for the window from the line, then healthy again', (t) => {
  let health = freshProbeHealth(null, spec.log, [], T);
  t.is(health.status, 'healthy');
  health = withStatus({ ...health, log: afterLogMatch(health.log!, 'FATAL: disk', new Date(T + 1000)) }, T + 1000);
  t.is(health.status, 'unhealthy');
  t.is(health.log?.unhealthyUntil?.getTime(), T + 1000 + 5 * 60_000);
  t.regex(probeFailureReason(health, T + 2000)!, /vigil\.probe\.log \/FATAL\/ matched "FATAL: disk"/);
  t.is(withStatus(health, T + 1000 + 5 * 60_000 - 1).status, 'unhealthy');
  const later = withStatus(health, T + 1000 + 5 * 60_000);
  t.is(later.status, 'healthy');
  t.is(later.log?.unhealthyUntil, null);
  t.is(probeFailureReason(later, T + 1000 + 5 * 60_000), null);
});

test('both probes: unhealthy when either says so; starting until exec has said; the reason names each', (t) => {
  let health = freshProbeHealth(spec.exec, spec.log, [], T);
  t.is(health.status, 'starting');
  const exec = afterExecRun(health.exec!, run(1000, 0), { retries: 1, startPeriodMs: 0 }, T);
  health = withStatus({ ...health, exec }, T + 1000);
  t.is(health.status, 'healthy');
  const failed = afterExecRun(health.exec!, run(2000, 2, 'no such file'), { retries: 1, startPeriodMs: 0 }, T);
  health = withStatus({ ...health, exec: failed }, T + 2000);
  t.is(health.status, 'unhealthy');
  t.is(
    probeFailureReason(health, T + 2000),
    'probe vigil.probe.exec "cat /tmp/ok" failed 1 times (last: no such file)',
  );
});

test('schedule: each container has a phase within its interval; its runs are one interval apart, after now', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(
        fc.hexaString({ minLength: 12, maxLength: 64 }),
        fc.integer({ min: 1000, max: 3_600_000 }),
        fc.nat(),
        (id, interval, now) => {
          const phase = phaseOf(id, interval);
          const next = nextRunAt(id, interval, now);
          return (
            phase >= 0 && phase < interval && next > now && next - now <= interval && (next - phase) % interval === 0
          );
        },
      ),
    ),
  );
});

test('schedule: 200 containers spread over the interval, not bunched at its start', (t) => {
  const ids = Array.from({ length: 200 }, (_, i) => `${i.toString(16).padStart(4, '0')}abcdef0123456789`);
  const buckets = new Array<number>(10).fill(0);
  for (const id of ids) buckets[Math.floor(phaseOf(id, 30_000) / 3000)]!++;
  // 20 a bucket if even: none empty and none with more than a quarter of them
  t.true(
    buckets.every((n) => n > 0 && n < 50),
    buckets.join(','),
  );
});

test('a run that only renews the last run is no change for the metrics and the medic; a new status or streak is', (t) => {
  const fresh = freshProbeHealth(spec.exec, null, [], T);
  const rules = { retries: 3, startPeriodMs: 0 };
  const ok1 = withStatus({ ...fresh, exec: afterExecRun(fresh.exec!, run(1000, 0), rules, T) }, T + 1000);
  const ok2 = withStatus({ ...ok1, exec: afterExecRun(ok1.exec!, run(2000, 0), rules, T) }, T + 2000);
  const failed = withStatus({ ...ok2, exec: afterExecRun(ok2.exec!, run(3000, 1), rules, T) }, T + 3000);
  t.true(verdictChanged(fresh, ok1), 'starting → healthy');
  t.false(verdictChanged(ok1, ok2), 'healthy again, only the times moved');
  t.true(verdictChanged(ok2, failed), 'the failing streak grew');
  t.true(verdictChanged(null, fresh));
  t.false(verdictChanged(null, null));
});
