import test from 'ava';
import { connect } from 'nats';
import pino from 'pino';
import { waitFor } from '../helpers/engine.js';
import { freePort } from '../helpers/net.js';
import { NatsServer, emptyNatsSources as sources } from '../helpers/nats.js';
import { EventBus } from '../../src/streams/event-bus.js';
import { NatsPublisher } from '../../src/streams/nats.js';

test('a vigil started before its NATS server connects when the server comes up, and publishes', async (t) => {
  const server = new NatsServer(await freePort());
  const bus = new EventBus();
  const publisher = new NatsPublisher('late', server.url, sources, bus, pino({ level: 'silent' }), 60_000);
  t.teardown(async () => {
    await publisher.stop();
    await server.stop();
  });
  publisher.start();
  // a few refused attempts before the server exists
  await new Promise((r) => setTimeout(r, 1500));
  t.false(publisher.connected);

  await server.start();
  await waitFor(() => publisher.connected, { what: 'the publisher to connect to the late server', timeoutMs: 20_000 });
  const subscriber = await connect({ servers: server.url });
  t.teardown(() => subscriber.close());
  const seen: unknown[] = [];
  subscriber.subscribe('vigil.late.events', { callback: (_err, msg) => seen.push(msg.json()) });
  await subscriber.flush();
  bus.publish({ type: 'recovery.report', container: { id: 'abc123', name: 'late' }, data: { reason: 'a test' } });
  await waitFor(() => seen.length > 0, { what: 'the event on NATS' });
  t.like(seen[0], { type: 'recovery.report', data: { reason: 'a test' } });
});
