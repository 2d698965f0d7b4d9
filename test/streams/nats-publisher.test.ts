import test from 'ava';
import pino from 'pino';
import { Writable } from 'node:stream';
import { EventBus } from '../../src/streams/event-bus.js';
import { NatsPublisher } from '../../src/streams/nats.js';
import { emptyNatsSources as sources } from '../helpers/nats.js';
import { freePort } from '../helpers/net.js';

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
  const closedPort = await freePort();
  const publisher = new NatsPublisher('h', `nats://127.0.0.1:${closedPort}`, sources, new EventBus(), logger, 60_000);
  publisher.start();
  // three attempts, a second apart: the warning is not repeated for each
  await new Promise((r) => setTimeout(r, 2500));
  t.is(messages.filter((m) => m === 'NATS not reachable; vigil keeps trying').length, 1);
  t.false(publisher.connected);
  // stop() once waited for a first connection that could never come, and the shutdown hung
  const stopped = await Promise.race([
    publisher.stop().then(() => 'stopped'),
    new Promise((r) => setTimeout(() => r('still waiting after 3 s'), 3000)),
  ]);
  t.is(stopped, 'stopped');
});
