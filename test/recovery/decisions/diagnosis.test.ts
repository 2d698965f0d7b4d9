import test from 'ava';
import { diagnose, ENGINE_POLICY_GRACE_MS, type DiagnosisInput } from '../../../src/recovery/decisions/diagnosis.js';
import { parseInspect, type InspectJson } from '../../../src/docker/parse/inspect.js';
import type { ContainerRecord } from '../../../src/docker/types.js';
import { freshRecovery } from '../../../src/store/recovery-state.js';
import { fixtureJson } from '../../helpers/fixtures.js';

const now = Date.parse('2026-11-22T07:00:00Z');
const base = (name: string) => parseInspect(fixtureJson<InspectJson>(`engine/inspect-${name}.json`));
const exited = (over: Partial<ContainerRecord> = {}): ContainerRecord => ({
  ...base('fx-exited'),
  finishedAt: new Date(now - 60_000),
  ...over,
});
const shouldRun = {
  key: 'k',
  containerId: 'x',
  name: 'n',
  desired: 'running' as const,
  source: 'event' as const,
  reason: 'crashed',
  updatedAt: now,
};
const input = (record: ContainerRecord, over: Partial<DiagnosisInput> = {}): DiagnosisInput => ({
  record,
  desired: shouldRun,
  recovery: freshRecovery('k'),
  imagePresent: true,
  now,
  ...over,
});

const table: [string, DiagnosisInput, string, string?][] = [
  ['running and unhealthy → restart', input(base('fx-health')), 'act', 'restart'],
  ['running, no check → healthy', input(base('fx-plain')), 'healthy'],
  [
    'running, an alert whose rule asks restart → restart',
    input(base('fx-plain'), { alert: { alertname: 'ContainerUnhealthy', action: 'restart' } }),
    'act',
    'restart',
  ],
  [
    'running, an alert whose rule asks recreate → recreate',
    input(base('fx-plain'), { alert: { alertname: 'Stuck', action: 'recreate' } }),
    'act',
    'recreate',
  ],
  [
    'running, an alert asking start → nothing to do, it runs',
    input(base('fx-plain'), { alert: { alertname: 'Down', action: 'start' } }),
    'healthy',
  ],
  ['paused → leave', input({ ...base('fx-plain'), state: 'paused' }), 'leave'],
  ['restarting → wait for the engine', input({ ...base('fx-plain'), state: 'restarting' }), 'wait'],
  ['being removed → leave', input({ ...exited(), state: 'removing' }), 'leave'],
  ['no desired state → leave', input(exited(), { desired: undefined }), 'leave'],
  [
    'stopped by the user → leave',
    input(exited(), { desired: { ...shouldRun, desired: 'stopped', reason: 'stopped on request' } }),
    'leave',
  ],
  ['created, never started → leave', input({ ...exited(), state: 'created', startedAt: null }), 'leave'],
  ['image missing → pull', input(exited(), { imagePresent: false }), 'act', 'pull'],
  [
    'image back after it was missing → recreate',
    input(exited(), { recovery: { ...freshRecovery('k'), lastProblem: 'image-missing' } }),
    'act',
    'recreate',
  ],
  ['network gone → recreate', input(exited({ error: 'network vigil-net not found' })), 'act', 'recreate'],
  [
    'missing mount source → report',
    input(exited({ error: 'invalid mount config: bind source path does not exist' })),
    'report',
  ],
  [
    'crashed, policy always, just now → wait for the engine',
    input(exited({ restartPolicy: { name: 'always', maximumRetryCount: 0 }, finishedAt: new Date(now - 1000) })),
    'wait',
  ],
  [
    'crashed, policy always, and the engine did not act in the grace → start',
    input(
      exited({
        restartPolicy: { name: 'always', maximumRetryCount: 0 },
        finishedAt: new Date(now - ENGINE_POLICY_GRACE_MS - 1),
      }),
    ),
    'act',
    'start',
  ],
  [
    'crashed, on-failure with retries left → wait',
    input(
      exited({
        restartPolicy: { name: 'on-failure', maximumRetryCount: 3 },
        restartCount: 1,
        finishedAt: new Date(now - 500),
      }),
    ),
    'wait',
  ],
  [
    'crashed, on-failure retries used up → start',
    input(
      exited({
        restartPolicy: { name: 'on-failure', maximumRetryCount: 3 },
        restartCount: 3,
        finishedAt: new Date(now - 500),
      }),
    ),
    'act',
    'start',
  ],
  ['crashed, no policy → start', input(exited()), 'act', 'start'],
  ['OOM-killed → start, and says so', input(exited({ oomKilled: true, exitCode: 137 })), 'act', 'start'],
];

for (const [title, given, kind, action] of table) {
  test(`diagnosis: ${title}`, (t) => {
    const d = diagnose(given);
    t.is<string, string>(d.kind, kind, d.reason);
    if (action) t.is(d.kind === 'act' ? (d.action as string) : undefined, action);
    t.true(d.reason.length > 0, 'every decision says why');
  });
}

test('the reason of an OOM kill and of an unhealthy container says what happened', (t) => {
  t.regex(diagnose(input(exited({ oomKilled: true, exitCode: 137 }))).reason, /OOM-killed/);
  t.regex(diagnose(input(base('fx-health'))).reason, /unhealthy: \d+ failed checks/);
  t.regex(diagnose(input(exited())).reason, /exit code 3/);
});
