import test from 'ava';
import { ShutdownWitness } from '../../../src/recovery/intent/shutdown-witness.js';
import { FakeEngine } from '../../helpers/fake-engine.js';

test("a kill heard while the engine takes new connections is a person's; one heard as it shuts down is the engine's", async (t) => {
  const engine = new FakeEngine();
  const witness = new ShutdownWitness(engine, 30_000);
  witness.heardKill('a', 1000);
  engine.shutDown();
  witness.heardKill('b', 2000);
  t.is(await witness.verdictAfter('a', 1000), 'accepted');
  t.is(await witness.verdictAfter('b', 2000), 'refused');
  t.is(await witness.verdictAfter('b', 2001), 'unknown', 'a kill of another time was not heard');
  t.is(await witness.verdictAfter('c', 2000), 'unknown', 'nor a container vigil heard nothing of');
});

test('a probe that fails in an unforeseen way tells nothing', async (t) => {
  const witness = new ShutdownWitness({ probeNewConnection: () => Promise.reject(new Error('boom')) }, 30_000);
  witness.heardKill('a', 1000);
  t.is(await witness.verdictAfter('a', 1000), 'unknown');
});

test('verdicts older than the window are dropped as new kills come: the witness holds what the window can ask', (t) => {
  let now = 0;
  const witness = new ShutdownWitness(new FakeEngine(), 30_000, () => now);
  for (let i = 0; i < 100; i++) witness.heardKill(`c${i}`, i);
  t.is(witness.size, 100);
  now = 31_000;
  witness.heardKill('late', now);
  t.is(witness.size, 1);
});
