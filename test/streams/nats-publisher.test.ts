import test from 'ava';
import pino from 'pino';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { EventBus } from '../../src/streams/event-bus.js';
import { containerReply, NatsPublisher } from '../../src/streams/nats.js';
import { emptyNatsSources as sources } from '../helpers/nats.js';
import { waitFor } from '../helpers/engine.js';

function recordingLogger(): { logger: pino.Logger; messages: string[] } {
  const messages: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        messages.push((JSON.parse(line) as { msg: string }).msg);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), messages };
}

test('a publisher whose NATS server never answered stops at once, having said once that it keeps trying', async (t) => {
  const { logger, messages } = recordingLogger();
  // a server that hangs up on every connection before saying anything: each of vigil's tries is counted
  const tries: Socket[] = [];
  const silent = createServer((socket) => {
    tries.push(socket);
    socket.destroy();
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => silent.close());
  const { port } = silent.address() as AddressInfo;
  const publisher = new NatsPublisher('h', `nats://127.0.0.1:${port}`, sources, new EventBus(), logger, 60_000);
  publisher.start();
  // three tries (a second apart): the warning is not repeated for each
  await waitFor(() => tries.length >= 3, { what: 'three tries to connect' });
  t.is(messages.filter((m) => m === 'NATS not reachable; vigil keeps trying').length, 1);
  t.false(publisher.connected);
  // stop() once waited for a first connection that could never come, and the shutdown hung (the test's
  // timeout would then fail it)
  await publisher.stop();
  t.false(publisher.connected);
});

test('a container request is answered by the vigil that has it; asked of the fleet, one without it or still reading its engine stays silent', (t) => {
  const detail = { status: 200, body: { name: 'web' } };
  const missing = { status: 404, body: { error: { status: 404, message: 'no container named "web"' } } };
  const reading = { status: 503, body: { error: { status: 503, message: 'still reading', retryAfterSeconds: 1 } } };
  t.is(containerReply(detail, 'h1', false), JSON.stringify({ name: 'web' }));
  t.is(containerReply(missing, 'h1', false), null);
  t.is(containerReply(reading, 'h1', false), null);
  // asked of this host alone, it says why, and which host says so
  t.deepEqual(JSON.parse(containerReply(missing, 'h1', true)!), { ...missing.body, host: 'h1' });
  t.deepEqual(JSON.parse(containerReply(reading, 'h1', true)!), { ...reading.body, host: 'h1' });
});
