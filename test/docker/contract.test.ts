import test from 'ava';
import { fakeDriver, runContract, type ContractAnswers } from '../helpers/engine-contract.js';
import { fixtureJson } from '../helpers/fixtures.js';

test('the fake engine answers list, inspect, events and logs as the recorded real engine did', async (t) => {
  // recorded from a real engine by test/fixtures/record-contract.ts (npm run fixtures:record)
  const recorded = fixtureJson<ContractAnswers>('engine/contract.json');
  const fake = await runContract(fakeDriver(), 'fx-contract');
  for (const [title, step] of Object.entries(recorded.steps)) {
    t.deepEqual(fake.steps[title]?.events, step.events, `${title}: the events`);
    t.deepEqual(fake.steps[title]?.inspect, step.inspect, `${title}: the inspection`);
  }
  t.deepEqual(Object.keys(fake.steps), Object.keys(recorded.steps));
  t.deepEqual(fake.list, recorded.list);
  t.deepEqual(fake.logs, recorded.logs);
});
