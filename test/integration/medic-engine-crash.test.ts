import test from 'ava';
import { engineCrashCase } from '../helpers/medic-scenarios.js';
import { PrivateEngine } from '../helpers/private-engine.js';

// This test SIGKILLs its engine, so it gets one of its own.
const engine = new PrivateEngine();

test.before(() => engine.up());
test.after.always(() => engine.destroy());

test('a SIGKILLed engine: every should-run container runs again within 30 s of its return, none taken for a person’s stop, and the interrupted restart is no attempt', async (t) => {
  const result = await engineCrashCase(engine, 30_000);
  t.log(JSON.stringify(result));
  t.not(result.allRunningAfterMs, null, 'all 10 running within 30 s of the engine answering again');
  t.is(result.shouldRun, 10);
  t.deepEqual(result.takenForPersonStop, [], 'none recorded as stopped by a person');
  t.is(result.personStoppedLeft, 2, 'the two a person stopped stay stopped');
  t.is(result.chargedForTheCrash, 0, 'the call the engine dropped is not charged to the backoff');
  t.true(result.interruptedRecorded, 'the interrupted restart is in the history, uncounted');
});
