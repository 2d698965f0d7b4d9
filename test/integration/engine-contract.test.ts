import test from 'ava';
import { fakeDriver, realDriver, runContract, type ContractAnswers } from '../helpers/engine-contract.js';
import { testDockerHost, uniqueName } from '../helpers/engine.js';
import { fixtureJson } from '../helpers/fixtures.js';

// The contract recorded once (test/fixtures/engine/contract.json) is the one the fake engine is held to
// in the unit stage: the engine of today must still answer the same, or the fake has drifted from it.
test('the real engine answers the contract as recorded, and as the fake engine does', async (t) => {
  const real = await runContract(realDriver(testDockerHost()), uniqueName('contract'));
  t.deepEqual(real, fixtureJson<ContractAnswers>('engine/contract.json'), 'as recorded');
  t.deepEqual(await runContract(fakeDriver(), uniqueName('contract')), real, 'as the fake engine');
});
