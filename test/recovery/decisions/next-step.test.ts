import test from 'ava';
import fc from 'fast-check';
import type { AlertRequest, Diagnosis } from '../../../src/recovery/decisions/diagnosis.js';
import { nextStep, reviewHealthyRun, type StepInput } from '../../../src/recovery/decisions/next-step.js';
import { freshRecovery } from '../../../src/store/recovery-state.js';

const schedule = { baseMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000, maxAttempts: 3 };
const options = { autoheal: 'labelled' as const, schedule };
const labelled = { 'vigil.autoheal': 'true' };
const crash: Diagnosis = { kind: 'act', action: 'start', reason: 'exited with 1', problem: 'crash' };
const restartAlert: AlertRequest = { alertname: 'ContainerUnhealthy', action: 'restart' };
const input = (over: Partial<StepInput>): StepInput => ({
  diagnosis: crash,
  alert: undefined,
  labels: labelled,
  recovery: freshRecovery('k'),
  now: 1_000_000,
  options,
  ...over,
});

test('a labelled crash is acted on at once, and answers the alert that asked', (t) => {
  const decision = nextStep(input({ alert: restartAlert }));
  t.deepEqual(decision.step, { kind: 'act', action: 'start', reason: 'exited with 1', problem: 'crash' });
  t.true(decision.alertAnswered);
  t.is(decision.alertNote, null);
});

test('without the label the action is refused and reported as skipped, saying why', (t) => {
  const { step, alertAnswered } = nextStep(input({ labels: {}, alert: restartAlert }));
  t.deepEqual(step, {
    kind: 'report',
    event: 'recovery.skipped',
    reason: 'exited with 1; not acting: not labelled vigil.autoheal=true',
  });
  t.true(alertAnswered, 'a refused alert does not wait to be refused again');
});

test('inside the backoff the medic looks again when it ends, and the alert keeps waiting', (t) => {
  const recovery = { ...freshRecovery('k'), attempts: 1, nextAt: 1_010_000 };
  const decision = nextStep(input({ recovery, alert: restartAlert }));
  t.deepEqual(decision.step, { kind: 'recheck', inMs: 10_000 });
  t.false(decision.alertAnswered);
});

test('after the last attempt it gives up once, then does nothing', (t) => {
  const spent = { ...freshRecovery('k'), attempts: 3, nextAt: 0 };
  t.deepEqual(nextStep(input({ recovery: spent })).step, { kind: 'give-up', reason: 'exited with 1' });
  t.deepEqual(nextStep(input({ recovery: { ...spent, gaveUpAt: 5 } })).step, { kind: 'nothing' });
});

test('an alert about a container with nothing wrong is answered with a note, and nothing is done', (t) => {
  const healthy: Diagnosis = { kind: 'healthy', reason: 'running and healthy' };
  const decision = nextStep(input({ diagnosis: healthy, alert: restartAlert }));
  t.deepEqual(decision.step, { kind: 'nothing' });
  t.true(decision.alertAnswered);
  t.is(decision.alertNote, 'alert ContainerUnhealthy asks for restart; not acting: running and healthy');
});

test('a wait or a report passes through; without an alert nothing is answered or noted', (t) => {
  const wait: Diagnosis = { kind: 'wait', reason: 'the engine restarts it', recheckInMs: 10_000 };
  t.deepEqual(nextStep(input({ diagnosis: wait })).step, { kind: 'recheck', inMs: 10_000 });
  const report: Diagnosis = { kind: 'report', reason: 'stopped by its user' };
  const decision = nextStep(input({ diagnosis: report }));
  t.deepEqual(decision.step, { kind: 'report', event: 'recovery.report', reason: 'stopped by its user' });
  t.false(decision.alertAnswered);
  t.is(decision.alertNote, null);
});

test('property: the medic never acts on a container its labels refuse, whatever the diagnosis and state', (t) => {
  const diagnosis = fc.constantFrom<Diagnosis>(
    crash,
    { kind: 'act', action: 'restart', reason: 'unhealthy' },
    { kind: 'act', action: 'recreate', reason: 'image gone' },
  );
  const refusing = fc.constantFrom<Record<string, string>>(
    {},
    { 'vigil.autoheal': 'false' },
    { 'vigil.autoheal': 'true', 'vigil.autoheal.actions': 'pull' },
  );
  const recovery = fc.record({ attempts: fc.nat(5), nextAt: fc.nat(2_000_000) });
  const kinds = new Set<string>();
  fc.assert(
    fc.property(diagnosis, refusing, recovery, fc.boolean(), (d, labels, r, withAlert) => {
      const state = { ...freshRecovery('k'), ...r };
      const { step } = nextStep(
        input({ diagnosis: d, labels, recovery: state, alert: withAlert ? restartAlert : undefined }),
      );
      kinds.add(step.kind);
      return step.kind !== 'act';
    }),
  );
  t.false(kinds.has('act'));
  t.true(kinds.has('report'), 'refusals are reported');
});

test('a healthy run forgives after the reset period; before it, the medic is told when to look again', (t) => {
  const tried = { ...freshRecovery('k'), attempts: 2, nextAt: 50 };
  const early = reviewHealthyRun(tried, 0, 200_000, schedule);
  t.is(early.state, tried);
  t.is(early.recheckInMs, 400_100);
  const late = reviewHealthyRun(tried, 0, 600_000, schedule);
  t.is(late.state.attempts, 0);
  t.is(late.recheckInMs, null);
  t.deepEqual(reviewHealthyRun(freshRecovery('k'), 0, 10, schedule), { state: freshRecovery('k'), recheckInMs: null });
});
