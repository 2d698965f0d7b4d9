import test from 'ava';
import { KILL_TO_DIE_WINDOW_MS } from '../../../src/recovery/decisions/intent.js';
import { ShutdownWitness } from '../../../src/recovery/intent/shutdown-witness.js';
import { FakeEngine } from '../../helpers/fake-engine.js';

test("a kill heard while the engine takes new connections is a person's; one heard as it shuts down is the engine's", async (t) => {
  const engine = new FakeEngine();
  const witness = new ShutdownWitness(engine);
  witness.heardKill('a', 1000);
  t.is(await witness.verdictAfter('a', 1000), 'accepted');
  engine.shutDown();
  witness.heardKill('b', 2000);
  t.is(await witness.verdictAfter('b', 2000), 'refused');
  t.is(await witness.verdictAfter('b', 2001), 'unknown', 'a kill of another time was not heard');
  t.is(await witness.verdictAfter('c', 2000), 'unknown', 'nor a container vigil heard nothing of');
});

test('kills heard in one turn share one probe, dialled after the last of them; a kill heard later gets its own', async (t) => {
  let probes = 0;
  const witness = new ShutdownWitness({ probeNewConnection: async () => (probes++, 'accepted') });
  for (let i = 0; i < 200; i++) witness.heardKill(`c${i}`, 1000);
  t.is(probes, 0, 'not before the turn ends');
  await witness.verdictAfter('c199', 1000);
  t.is(probes, 1);
  witness.heardKill('late', 2000);
  await witness.verdictAfter('late', 2000);
  t.is(probes, 2);
});

test('a probe that fails in an unforeseen way tells nothing', async (t) => {
  const witness = new ShutdownWitness({ probeNewConnection: () => Promise.reject(new Error('boom')) });
  witness.heardKill('a', 1000);
  t.is(await witness.verdictAfter('a', 1000), 'unknown');
});

test("verdicts are dropped as new kills come once a die could no longer be the kill's", (t) => {
  let now = 0;
  const witness = new ShutdownWitness(new FakeEngine(), KILL_TO_DIE_WINDOW_MS, () => now);
  for (let i = 0; i < 100; i++) witness.heardKill(`c${i}`, i);
  t.is(witness.size, 100);
  now = KILL_TO_DIE_WINDOW_MS + 1000;
  witness.heardKill('late', now);
  t.is(witness.size, 1);
});
