import test from 'ava';
import fc from 'fast-check';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { channelSchema, type ChannelConfig } from '../../src/notify/channel-config.js';
import { SlackNotifier, slackAnswerTs, slackApiMessage } from '../../src/notify/channels/slack.js';
import type { Notification } from '../../src/notify/message.js';
import { ChatThreadStore } from '../../src/store/chat-threads.js';
import { openStore } from '../../src/store/db.js';
import { tempDir } from '../helpers/temp-dir.js';

const note = (key: string, incident?: { id: string; seq: number }): Notification => ({
  key,
  event: 'crash',
  severity: 'critical',
  title: `${key} crashed`,
  text: 'exit code 3',
  links: [],
  at: '2026-11-23T10:00:00.000Z',
  ...(incident ? { incident: { ...incident, subject: `${key}: crashed` } } : {}),
});

/** A loopback server answering chat.postMessage as Slack does: 200 with ok and the new message's ts. */
async function slackApi(t: import('ava').ExecutionContext, refuse = false) {
  const posts: { headers: IncomingHttpHeaders; body: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      posts.push({ headers: req.headers, body: JSON.parse(raw) as Record<string, unknown> });
      const answer = refuse
        ? { ok: false, error: 'channel_not_found' }
        : { ok: true, ts: `1700000000.00000${posts.length}` };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => server.close());
  const { port } = server.address() as AddressInfo;
  return { posts, apiUrl: `http://127.0.0.1:${port}/api/` };
}

type SlackConfig = Extract<ChannelConfig, { type: 'slack' }>;
const webApiChannel = (apiUrl: string) =>
  channelSchema.parse({
    type: 'slack',
    name: 'ops-chat',
    token: 'xoxb-test-token',
    channel: 'C0OPS',
    apiUrl,
  }) as SlackConfig;

test('a Slack channel is either an incoming webhook or the Web API with a token and a channel', (t) => {
  t.true(channelSchema.safeParse({ type: 'slack', name: 'a', url: 'https://hooks.example.org/x' }).success);
  t.true(channelSchema.safeParse({ type: 'slack', name: 'a', token: 'xoxb-12345', channel: 'C1' }).success);
  for (const bad of [
    { type: 'slack', name: 'a' },
    { type: 'slack', name: 'a', token: 'xoxb-12345' },
    { type: 'slack', name: 'a', url: 'https://hooks.example.org/x', token: 'xoxb-12345', channel: 'C1' },
  ]) {
    const parsed = channelSchema.safeParse(bad);
    t.false(parsed.success, JSON.stringify(bad));
    t.regex(parsed.error!.message, /either url .* or token and channel/);
  }
});

test("the Web API answer gives the ts, and a refusal is a failed delivery naming Slack's error", (t) => {
  t.is(slackAnswerTs({ ok: true, ts: '1.2' }), '1.2');
  t.throws(() => slackAnswerTs({ ok: false, error: 'invalid_auth' }), { message: /invalid_auth/ });
  fc.assert(
    fc.property(fc.anything(), (answer) => {
      try {
        return typeof slackAnswerTs(answer) === 'string';
      } catch (err) {
        return (err as Error).name === 'PostError';
      }
    }),
  );
  t.deepEqual(slackApiMessage(note('a'), 'C1', undefined).thread_ts, undefined);
  t.is(slackApiMessage(note('a'), 'C1', '9.9').thread_ts, '9.9');
});

test('messages of one incident are one thread, also after a restart; another incident starts its own', async (t) => {
  const api = await slackApi(t);
  const db = openStore(tempDir(t, 'slack'));
  const config = webApiChannel(api.apiUrl);
  const first = new SlackNotifier(config, new ChatThreadStore(db));
  await first.send(note('web', { id: 'inc1', seq: 1 }));
  await first.send(note('web', { id: 'inc1', seq: 2 }));
  // vigil restarted: a new notifier on the same store
  const again = new SlackNotifier(config, new ChatThreadStore(db));
  await again.send(note('web', { id: 'inc1', seq: 3 }));
  await again.send(note('db', { id: 'inc2', seq: 1 }));
  await again.send(note('plain'));
  t.deepEqual(
    api.posts.map((p) => p.body.thread_ts),
    [undefined, '1700000000.000001', '1700000000.000001', undefined, undefined],
  );
  t.is(api.posts[0]!.headers.authorization, 'Bearer xoxb-test-token');
  t.is(api.posts[0]!.body.channel, 'C0OPS');
});

test('a message Slack refuses fails the delivery, and leaves no thread behind', async (t) => {
  const api = await slackApi(t, true);
  const threads = new ChatThreadStore(openStore(tempDir(t, 'slack')));
  const notifier = new SlackNotifier(webApiChannel(api.apiUrl), threads);
  await t.throwsAsync(notifier.send(note('web', { id: 'inc1', seq: 1 })), { message: /channel_not_found/ });
  t.is(threads.get('ops-chat', 'inc1'), undefined);
});
