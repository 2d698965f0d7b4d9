import test from 'ava';
import { awayCase, identityCase } from '../helpers/medic-scenarios.js';
import { PrivateEngine } from '../helpers/private-engine.js';

// vigil is restarted here, and must be the only one acting on these containers: an engine of its own.
const engine = new PrivateEngine();

// A wait on the condition, as long as the test's time allows: how soon is a figure on a loaded machine's
// clock, the benchmark's mark (30 s, bench/medic-cases.ts)
const untilTheTestsEnd = 120_000;

test.before(() => engine.up());
test.after.always(() => engine.destroy());

test.serial(
  'identity is the container id: rm -f then create under the same name, a rename mid crash loop, the API stop of an exited container, the rows of a removed one',
  async (t) => {
    const r = await identityCase(engine);
    t.log(JSON.stringify(r));
    t.is(r.createdUnderOldName.state, 'created', 'the new container under the old name is never started');
    t.is(r.createdUnderOldName.vigilActions, 0);
    t.is(r.rowsOfRemoved, 0, 'the removed container’s desired state and backoff rows are gone');
    t.true(r.historyOfRemovedKept, 'its history is kept');
    t.true(r.renamed.historyBeforeRename, 'the history from before the rename is under the new name');
    t.true(r.renamed.vigilStarts <= r.renamed.maxAttempts, `${r.renamed.vigilStarts} starts, at most the budget`);
    t.true(r.renamed.gaveUp, 'the one budget ran out and vigil gave up');
    t.is(r.apiStop.status, 200);
    t.is(r.apiStop.stateAfter, 'exited', 'a stop through the API holds for an exited container');
    t.is(r.apiStop.startsAfter, 0, 'vigil never started it again');
    t.is(r.apiStop.by, 'api', 'the history says who asked');
    t.is(r.unknownStatus, 404);
    t.regex(r.unknownMessage, /id-no-such/, 'the 404 names the container');
  },
);

test.serial(
  'what happened while vigil was away: a labelled container that crashed is running again, and its history says why; one a person stopped stays stopped',
  async (t) => {
    const r = await awayCase(engine, untilTheTestsEnd);
    t.log(JSON.stringify(r));
    t.true(r.early.startedByVigil, 'a container that crashed before vigil first came is started');
    t.regex(r.early.why ?? '', /crashed/);
    t.not(r.crashedWhileAway.runningAfterMs, null, 'running again once vigil is back');
    t.regex(r.crashedWhileAway.why ?? '', /crashed \(exit code 3\)/, 'its history says why');
    t.is(r.stoppedWhileAway.state, 'exited', 'the one a person stopped stays stopped');
    t.is(r.stoppedWhileAway.desired, 'stopped');
  },
);
