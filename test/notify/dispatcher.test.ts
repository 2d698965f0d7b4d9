import type { Clock } from '@sinonjs/fake-timers';
import test, { type ExecutionContext } from 'ava';
import { rmSync } from 'node:fs';
import { pino } from 'pino';
import { channelSchema } from '../../src/notify/channel-config.js';
import { Dispatcher, type DispatcherOptions } from '../../src/notify/dispatcher.js';
import type { Notification } from '../../src/notify/message.js';
import type { Notifier } from '../../src/notify/notifier.js';
import { openStore } from '../../src/store/db.js';
import { OutboxStore } from '../../src/store/outbox.js';
import { installFakeClock } from '../helpers/fake-clock.js';
import { tempDir } from '../helpers/temp-dir.js';

// The dispatcher on a fake clock with a channel whose failures the test decides. Fake timers are global: serial.
const options: DispatcherOptions = {
  retryBaseMs: 1000,
  retryMaxMs: 60_000,
  expiryMs: 3_600_000,
  dedupeMs: 300_000,
  groupMs: 10_000,
  tickMs: 250,
};

class ScriptedChannel implements Notifier {
  readonly name = 'hook';
  readonly type = 'webhook';
  readonly attempts: { at: number; keys: string[]; ok: boolean }[] = [];
  failNext = 0;
  async send(n: Notification): Promise<void> {
    const ok = this.failNext <= 0;
    this.failNext--;
    this.attempts.push({ at: Date.now(), keys: n.key.split('+'), ok });
    if (!ok) throw new Error('connect ECONNREFUSED 127.0.0.1:9');
  }
  get delivered(): string[] {
    return this.attempts.filter((a) => a.ok).flatMap((a) => a.keys);
  }
}

/** An outbox whose writes the test can make fail, as a read-only or full store does. */
class FlakyOutbox extends OutboxStore {
  refuse = false;
  refuseReads = false;
  reads = 0;
  override due(...args: Parameters<OutboxStore['due']>): ReturnType<OutboxStore['due']> {
    this.reads++;
    if (this.refuseReads) throw new Error('database disk image is malformed');
    return super.due(...args);
  }
  override add(...args: Parameters<OutboxStore['add']>): boolean {
    if (this.refuse) throw new Error('attempt to write a readonly database');
    return super.add(...args);
  }
}

const message = (key: string): Notification => ({
  key,
  event: 'crash',
  severity: 'critical',
  title: `${key} crashed`,
  text: '',
  links: [],
  at: new Date().toISOString(),
});

function setUp(t: ExecutionContext, overrides: Partial<DispatcherOptions> = {}) {
  const clock: Clock = installFakeClock();
  const dir = tempDir(t, 'dispatch-unit');
  const db = openStore(dir);
  const outbox = new FlakyOutbox(db);
  const channel = new ScriptedChannel();
  const config = channelSchema.parse({ type: 'webhook', name: 'hook', url: 'http://127.0.0.1:9/hook' });
  const dispatcher = new Dispatcher(outbox, [{ notifier: channel, config }], pino({ level: 'silent' }), {
    ...options,
    ...overrides,
  });
  dispatcher.start();
  t.teardown(async () => {
    const stopping = dispatcher.stop();
    await clock.tickAsync(1000);
    await stopping;
    clock.uninstall();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { clock, outbox, channel, dispatcher, advance: (ms: number) => clock.tickAsync(ms) };
}

test.serial('a failing channel is retried with doubling delays, and the message goes out exactly once', async (t) => {
  const { channel, dispatcher, advance } = setUp(t);
  channel.failNext = 4;
  dispatcher.enqueue(message('a'));
  await advance(60_000);
  t.deepEqual(
    channel.attempts.map((a) => a.ok),
    [false, false, false, false, true],
  );
  const gaps = channel.attempts.slice(1).map((a, i) => Math.round((a.at - channel.attempts[i]!.at) / 1000));
  t.deepEqual(gaps, [1, 2, 4, 8]);
  t.deepEqual(channel.delivered, ['a']);
  t.like(dispatcher.health()[0], { sent: 1, failed: 4, pending: 0, lastError: 'connect ECONNREFUSED 127.0.0.1:9' });
  await advance(600_000);
  t.is(channel.attempts.length, 5, 'nothing sent again once delivered');
});

test.serial(
  'an idle outbox is not read on every tick, yet a new message goes at once and a retry at its time',
  async (t) => {
    const { outbox, channel, dispatcher, advance } = setUp(t);
    await advance(10_000);
    t.true(outbox.reads <= 1, `${outbox.reads} reads in 40 idle ticks`);
    channel.failNext = 1;
    dispatcher.enqueue(message('c'));
    await advance(10);
    t.is(channel.attempts.length, 1, 'sent without waiting for a tick');
    await advance(1_500);
    t.deepEqual(channel.delivered, ['c'], 'the retry went out 1 s after the failure');
    const reads = outbox.reads;
    await advance(10_000);
    t.true(outbox.reads - reads <= 1, `${outbox.reads - reads} reads in 40 idle ticks after delivery`);
  },
);

test.serial('a message written while the outbox cannot be read goes out once it can, without another', async (t) => {
  const { outbox, channel, dispatcher, advance } = setUp(t);
  await advance(1000);
  outbox.refuseReads = true;
  dispatcher.enqueue(message('d'));
  await advance(2000);
  t.deepEqual(channel.delivered, []);
  outbox.refuseReads = false;
  await advance(1000);
  t.deepEqual(channel.delivered, ['d']);
});

test.serial('a message that cannot be delivered within the expiry is expired, counted and not sent late', async (t) => {
  const { channel, dispatcher, advance } = setUp(t, { expiryMs: 120_000, retryMaxMs: 30_000 });
  channel.failNext = 1_000;
  dispatcher.enqueue(message('b'));
  await advance(130_000);
  t.like(dispatcher.health()[0], { expired: 1, pending: 0 });
  const tried = channel.attempts.length;
  channel.failNext = 0;
  await advance(600_000);
  t.is(channel.attempts.length, tried);
  t.deepEqual(channel.delivered, []);
});

test.serial(
  'news within the group window goes out together, and a repeat within the dedupe window is dropped',
  async (t) => {
    const { channel, dispatcher, advance } = setUp(t);
    dispatcher.enqueue(message('first'));
    await advance(1000);
    for (const key of ['x', 'y', 'x', 'z']) dispatcher.enqueue(message(key));
    await advance(20_000);
    t.deepEqual(
      channel.attempts.map((a) => a.keys.length),
      [1, 3],
      'the first at once, the rest in one message after the window',
    );
    t.deepEqual(new Set(channel.delivered), new Set(['first', 'x', 'y', 'z']));
    t.is(channel.delivered.length, 4, 'x once');
  },
);

test.serial('while the store refuses writes, notifications wait in memory and go out once it takes them', async (t) => {
  const { channel, dispatcher, outbox, advance } = setUp(t);
  outbox.refuse = true;
  for (const key of ['p', 'q', 'r']) dispatcher.enqueue(message(key));
  await advance(5000);
  t.is(dispatcher.unsavedCount, 3);
  t.deepEqual(channel.attempts, [], 'nothing is sent that is not stored: a crash now would send it twice otherwise');
  outbox.refuse = false;
  await advance(30_000);
  t.is(dispatcher.unsavedCount, 0);
  t.deepEqual([...channel.delivered].sort(), ['p', 'q', 'r']);
});

test.serial(
  'a channel added while running gets what is enqueued from then on; removed, it gets nothing and its queue expires',
  async (t) => {
    const { outbox, channel: failing, dispatcher, advance } = setUp(t);
    failing.failNext = 1_000;
    const added = new ScriptedChannel();
    const config = channelSchema.parse({ type: 'webhook', name: 'added', url: 'http://127.0.0.1:9/added' });
    t.true(dispatcher.addChannel(added, config));
    t.false(dispatcher.addChannel(added, config), 'a name is added once');
    dispatcher.enqueue(message('x'));
    // within a tick (the round start() began may still hold the outbox)
    await advance(1_000);
    t.deepEqual(added.delivered, ['x']);
    t.deepEqual(
      dispatcher.health().map((c) => c.name),
      ['hook', 'added'],
    );
    // the file's channel keeps failing, so its message waits; once it is removed, that one expires
    t.is(outbox.depth().get('hook'), 1);
    t.true(await dispatcher.removeChannel('hook'));
    t.false(await dispatcher.removeChannel('hook'));
    await advance(120_000);
    t.is(outbox.depth().get('hook') ?? 0, 0, 'nothing left pending for a channel that is gone');
    const attempts = failing.attempts.length;
    dispatcher.enqueue(message('y'));
    await advance(60_000);
    t.is(failing.attempts.length, attempts, 'nothing is sent to a removed channel');
    t.deepEqual(added.delivered, ['x', 'y']);
  },
);
