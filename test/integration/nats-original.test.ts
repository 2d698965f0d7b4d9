import test from 'ava';
import { connect, RequestStrategy, type NatsConnection } from 'nats';
import { removeContainers, runContainer, uniqueName, waitFor } from '../helpers/engine.js';
import { freePort } from '../helpers/net.js';
import { NatsServer } from '../helpers/nats.js';
import { PrivateEngine } from '../helpers/private-engine.js';
import { startVigil, type RunningVigil } from '../helpers/vigil.js';

// Two hosts: the shared test engine (host "one") and an engine of this file's own (host "two"), one
// nats-server. The original one-host subjects are published by both, each payload naming its host,
// and a request on docker.container.health is answered by the owner of the container alone.

let nats: NatsServer;
let other: PrivateEngine;
let one: RunningVigil;
let two: RunningVigil;
let client: NatsConnection;
const onlyOnOne = uniqueName('only-one');
const onlyOnTwo = uniqueName('only-two');
const received = new Map<string, { host: string; name?: string }[]>();
const originals = [
  'docker.container.health',
  'docker.container.health.all',
  'docker.container.stats',
  'docker.container.stats.stream',
];

test.before(async () => {
  nats = new NatsServer(await freePort());
  other = new PrivateEngine();
  await Promise.all([nats.start(), other.up()]);
  await runContainer(onlyOnOne, [], ['sleep', '100000']);
  await runContainer(onlyOnTwo, [], ['sleep', '100000'], other.host);
  client = await connect({ servers: nats.url });
  for (const subject of originals) {
    received.set(subject, []);
    client.subscribe(subject, { callback: (_err, msg) => !msg.reply && received.get(subject)!.push(msg.json()) });
  }
  const env = { VIGIL_NATS_URL: nats.url, VIGIL_NATS_INTERVAL_SECONDS: '1', VIGIL_SAMPLE_INTERVAL_SECONDS: '0.5' };
  one = await startVigil({ ...env, VIGIL_HOST: 'one' });
  two = await startVigil({ ...env, VIGIL_HOST: 'two', DOCKER_HOST: other.host });
  await waitFor(() => one.vigil.nats?.connected && two.vigil.nats?.connected, { what: 'both vigils on NATS' });
});

test.after.always(async () => {
  await client?.close();
  await Promise.all([one?.stop(), two?.stop()]);
  await nats?.stop();
  await removeContainers([onlyOnOne]);
  await other?.destroy();
});

async function answers(subject: string, payload: string): Promise<Record<string, unknown>[]> {
  const replies = await client.requestMany(subject, payload, { strategy: RequestStrategy.Timer, maxWait: 1500 });
  const out: Record<string, unknown>[] = [];
  for await (const reply of replies) out.push(reply.json());
  return out;
}

test.serial('the original subjects are published by every vigil, each payload with its host', async (t) => {
  for (const subject of ['docker.container.stats', 'docker.container.stats.stream']) {
    const seen = received.get(subject)!;
    await waitFor(() => seen.some((s) => s.name === onlyOnOne) && seen.some((s) => s.name === onlyOnTwo), {
      what: `${subject} from both hosts`,
    });
    t.is(seen.find((s) => s.name === onlyOnOne)!.host, 'one');
    t.is(seen.find((s) => s.name === onlyOnTwo)!.host, 'two');
  }
  const all = received.get('docker.container.health.all')!;
  await waitFor(() => new Set(all.map((a) => a.host)).size === 2, { what: 'health.all from both hosts' });
  t.true(all.every((a) => a.host === 'one' || a.host === 'two'));
  // a change is published on docker.container.health as the summary entry, with its host
  await runContainer(uniqueName('later'), ['--rm'], ['true'], other.host);
  const health = received.get('docker.container.health')!;
  await waitFor(() => health.some((h) => h.host === 'two'), { what: 'a health message from host two' });
});

test.serial('a request on docker.container.health is answered only by the vigil that has the container', async (t) => {
  const forOne = await answers('docker.container.health', onlyOnOne);
  t.is(forOne.length, 1);
  t.like(forOne[0], { host: 'one', name: onlyOnOne });
  const forTwo = await answers('docker.container.health', onlyOnTwo);
  t.is(forTwo.length, 1);
  t.like(forTwo[0], { host: 'two', name: onlyOnTwo });
  t.deepEqual(await answers('docker.container.health', 'nowhere-at-all'), []);
  // one request gets it with a single reply, as a one-host client would ask
  const single = (await client.request('docker.container.health', onlyOnTwo, { timeout: 5000 })).json<{
    host: string;
  }>();
  t.is(single.host, 'two');
});

test.serial('a request on docker.container.health.all is answered by every vigil with its host', async (t) => {
  const all = await answers('docker.container.health.all', '');
  t.deepEqual(all.map((a) => a.host).sort(), ['one', 'two']);
});
