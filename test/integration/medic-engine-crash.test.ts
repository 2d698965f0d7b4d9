import test from 'ava';
import { engineCrashCase } from '../helpers/medic-scenarios.js';
import { PrivateEngine } from '../helpers/private-engine.js';

// This test SIGKILLs its engine, so it gets one of its own.
const engine = new PrivateEngine();

test.before(() => engine.up());
test.after.always(() => engine.destroy());

// A wait on the condition, as long as the test's time allows: how soon is a figure on a loaded machine's
// clock, the benchmark's mark (30 s, bench/medic-cases.ts); on the fake clock, test/recovery/medic/medic.test.ts
const untilTheTestsEnd = 120_000;

test('a SIGKILLed engine: every should-run container runs again after its return, none taken for a person’s stop, and the interrupted restart is no attempt', async (t) => {
  const result = await engineCrashCase(engine, untilTheTestsEnd);
  t.log(JSON.stringify(result));
  t.not(result.allRunningAfterMs, null, 'all 10 running again once the engine answers');
  t.is(result.shouldRun, 10);
  t.deepEqual(result.takenForPersonStop, [], 'none recorded as stopped by a person');
  t.is(result.personStoppedLeft, 2, 'the two a person stopped stay stopped');
  t.is(result.chargedForTheCrash, 0, 'the call the engine dropped is not charged to the backoff');
  t.true(result.interruptedRecorded, 'the interrupted restart is in the history, uncounted');
});
