import test from 'ava';
import { rmSync } from 'node:fs';
import { pino } from 'pino';
import { channelSchema } from '../../src/notify/channel-config.js';
import { createNotifier } from '../../src/notify/channels/index.js';
import { Dispatcher } from '../../src/notify/dispatcher.js';
import { ChatThreadStore } from '../../src/store/chat-threads.js';
import { openStore } from '../../src/store/db.js';
import { OutboxStore } from '../../src/store/outbox.js';
import { freePort } from '../helpers/net.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { tempDir } from '../helpers/temp-dir.js';

// A real SMTP server that goes down and comes back: the email channel's status and trend follow it.
test('an email channel turns degraded, then error, while its SMTP server is down, and improves when it is back', async (t) => {
  const smtp = new TestSmtpServer(await freePort());
  await smtp.start();
  const dir = tempDir(t, 'channel-health');
  const db = openStore(dir);
  const config = channelSchema.parse(smtp.channel());
  const dispatcher = new Dispatcher(
    new OutboxStore(db),
    [{ config, notifier: createNotifier(config, { threads: new ChatThreadStore(db) }) }],
    pino({ level: 'silent' }),
    { retryBaseMs: 1000, retryMaxMs: 5000, expiryMs: 3_600_000, dedupeMs: 0, groupMs: 0, tickMs: 250 },
  );
  t.teardown(async () => {
    await dispatcher.stop();
    await smtp.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const health = () => dispatcher.health()[0]!;

  t.like(health(), { status: 'healthy', trend: 'stable', errorRate: 0, lastSuccessAt: null });
  for (let i = 0; i < 3; i++) t.true((await dispatcher.test('mail'))!.ok);
  t.like(health(), { status: 'healthy', errorRate: 0 });
  t.not(health().lastSuccessAt, null);
  t.true(health().latencyMs! >= 0);

  await smtp.stop();
  t.false((await dispatcher.test('mail'))!.ok);
  t.like(health(), { status: 'degraded', errorRate: 0.25 }, 'the latest attempt failed, a quarter of them');
  t.regex(health().lastError!, /ECONNREFUSED/);
  t.false(health().lastError!.includes(smtp.pass), 'the error is redacted');
  for (let i = 0; i < 2; i++) t.false((await dispatcher.test('mail'))!.ok);
  t.like(health(), { status: 'error', trend: 'declining', errorRate: 0.5 }, 'three failures in a row');

  await smtp.start();
  for (let i = 0; i < 4; i++) t.true((await dispatcher.test('mail'))!.ok);
  // 3 of 10 failed: under half and the latest delivered, but not yet under a tenth
  t.like(health(), { status: 'degraded', trend: 'improving', errorRate: 0.3 });
  t.is(smtp.mails.length, 7);
});
