import { Router } from '@koa/router';
import test from 'ava';
import fc from 'fast-check';
import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { ContainersSource } from '../../../src/containers/source.js';
import type { ChannelSettings, NewChannel, SettingsAnswer } from '../../../src/http/api-types.js';
import { errorHandler } from '../../../src/http/errors.js';
import { channelRoutes } from '../../../src/http/routes/channels.js';
import { settingsRoutes } from '../../../src/http/routes/settings.js';
import type { ChannelConfig } from '../../../src/notify/channel-config.js';
import { ChannelSettingsSource } from '../../../src/notify/channel-settings.js';
import { Dispatcher } from '../../../src/notify/dispatcher.js';
import type { Notification } from '../../../src/notify/message.js';
import { ThresholdSource } from '../../../src/resources/threshold-source.js';
import { openStore } from '../../../src/store/db.js';
import { OutboxStore } from '../../../src/store/outbox.js';
import { PageSettingsStore } from '../../../src/store/page-settings.js';
import { fileTempDirs } from '../../helpers/temp-dir.js';

const temp = fileTempDirs(test);

// POST and DELETE /api/v1/settings/channels on a real store and dispatcher: a channel added is
// delivered to at once (its test goes through the notifier made for it), its secrets never come back
// in an answer, and any body that is not a channel is a 400 naming the field at fault.

const fileChannel = {
  name: 'from-file',
  type: 'webhook' as const,
  url: 'http://127.0.0.1:9/file',
  minSeverity: 'info' as const,
  ratePerMinute: 30,
};

async function serve() {
  const db = openStore(temp('channel-route'));
  const logger = pino({ level: 'silent' });
  const dispatcher = new Dispatcher(new OutboxStore(db), [], logger, {
    retryBaseMs: 1000,
    retryMaxMs: 1000,
    expiryMs: 60_000,
    dedupeMs: 1000,
    groupMs: 0,
    tickMs: 1000,
  });
  const sent = new Map<string, Notification[]>();
  const makeNotifier = (c: ChannelConfig) => ({
    name: c.name,
    type: c.type,
    send: async (n: Notification) => void sent.set(c.name, [...(sent.get(c.name) ?? []), n]),
  });
  const file = { ...fileChannel };
  dispatcher.addChannel(makeNotifier(file), file);
  const pageSettings = new PageSettingsStore(db);
  const channels = new ChannelSettingsSource([file], pageSettings, dispatcher, makeNotifier);
  const app = new Koa();
  app.silent = true;
  app.use(errorHandler(logger));
  const router = new Router();
  const containers = { containers: () => [] } as unknown as ContainersSource;
  const thresholds = new ThresholdSource(
    pageSettings,
    { cpu: { warn: 80, crit: 95 }, memory: { warn: 80, crit: 95 }, forSeconds: 30 },
    10,
  );
  settingsRoutes(router, { containers, thresholds, channels });
  channelRoutes(router, dispatcher);
  app.use(router.routes());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const send = (method: string, path: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  return {
    send,
    sent,
    dispatcher,
    close: async () => {
      server.close();
      await dispatcher.stop();
      db.close();
    },
  };
}

/** Every API answer that could show a channel, as text. */
async function answers(s: Awaited<ReturnType<typeof serve>>): Promise<string> {
  const texts = await Promise.all(
    ['/api/v1/settings', '/api/v1/channels'].map(async (p) => (await s.send('GET', p)).text()),
  );
  return texts.join('\n');
}

const token = 'Tq7LmZ2xW9rB4kPv';

test.serial('a webhook added is served masked, tested through its own notifier, and removed', async (t) => {
  const s = await serve();
  t.teardown(s.close);
  const body: NewChannel = {
    name: 'pager',
    type: 'webhook',
    url: `http://127.0.0.1:9/hooks/${token}`,
    secret: 'signing-secret-42',
    headers: { authorization: 'Bearer header-secret-77' },
    minSeverity: 'warning',
  };
  const res = await s.send('POST', '/api/v1/settings/channels', body);
  t.is(res.status, 201);
  const added = (await res.json()) as ChannelSettings;
  t.like(added, { name: 'pager', type: 'webhook', addedBy: 'page', minSeverity: { value: 'warning', source: 'page' } });
  t.deepEqual(added.secrets, ['url', 'secret', 'headers.authorization']);
  t.is(added.target, 'http://127.0.0.1:9/hooks/…');
  const shown = await answers(s);
  for (const secret of [token, 'signing-secret-42', 'header-secret-77']) t.false(shown.includes(secret), secret);
  t.true(
    s.dispatcher.health().some((c) => c.name === 'pager'),
    'the dispatcher has it without a restart',
  );

  const tested = await s.send('POST', '/api/v1/channels/pager/test');
  t.is(tested.status, 200);
  t.is(s.sent.get('pager')?.[0]?.title, 'Test message from vigil to pager');

  t.is((await s.send('POST', '/api/v1/settings/channels', { ...body, url: 'http://127.0.0.1:9/' })).status, 409);
  const fromFile = await s.send('DELETE', '/api/v1/settings/channels/from-file');
  t.is(fromFile.status, 409);
  t.regex(((await fromFile.json()) as { error: { message: string } }).error.message, /configuration file/);
  t.is((await s.send('DELETE', '/api/v1/settings/channels/pager')).status, 204);
  t.is((await s.send('DELETE', '/api/v1/settings/channels/pager')).status, 404);
  const after = (await (await s.send('GET', '/api/v1/settings')).json()) as SettingsAnswer;
  t.deepEqual(
    after.channels.map((c) => c.name),
    ['from-file'],
  );
  t.false(s.dispatcher.health().some((c) => c.name === 'pager'));
});

test.serial('a bad channel is a 400 that names the field at fault', async (t) => {
  const s = await serve();
  t.teardown(s.close);
  const cases: [unknown, RegExp][] = [
    [{ name: 'x', type: 'pager', url: 'http://127.0.0.1:9/' }, /type/],
    [{ name: 'x', type: 'webhook', url: 'ftp://example.com/' }, /url/],
    [{ name: 'x', type: 'webhook' }, /url/],
    [{ name: 'bad name!', type: 'webhook', url: 'http://127.0.0.1:9/' }, /name/],
    [{ name: 'x', type: 'webhook', url: 'http://127.0.0.1:9/', secret: 'short' }, /secret/],
    [{ name: 'x', type: 'webhook', url: 'http://127.0.0.1:9/', extra: 1 }, /extra|unrecognized/i],
    [{ name: 'x', type: 'email', smtp: { host: 'm' }, from: 'v@example.com', to: ['not-mail'] }, /to\.0/],
    [{ name: 'x', type: 'slack', token: 'xoxb-123456789' }, /slack channel has either url/],
    [[], /\(the body\)/],
  ];
  for (const [body, field] of cases) {
    const res = await s.send('POST', '/api/v1/settings/channels', body);
    t.is(res.status, 400, JSON.stringify(body));
    t.regex(((await res.json()) as { error: { message: string } }).error.message, field, JSON.stringify(body));
  }
  t.is((await s.send('POST', '/api/v1/settings/channels', '{"name":')).status, 400, 'not JSON');
  t.is((await s.send('POST', '/api/v1/settings/channels')).status, 400, 'no body');
});

/** A channel of any kind the dispatcher knows, with secrets of its own in every field that can hold one. */
const secretArb = fc.stringMatching(/^[A-Za-z0-9]{16,24}$/).filter((s) => /[a-z]/.test(s) && /[A-Z0-9]/.test(s));
const nameArb = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,20}$/).filter((n) => n !== 'from-file');
const channelArb: fc.Arbitrary<{ body: NewChannel; secrets: string[] }> = fc.oneof(
  fc
    .record({ name: nameArb, secret: secretArb, key: secretArb, header: secretArb })
    .map(({ name, secret, key, header }) => ({
      body: {
        name,
        type: 'webhook' as const,
        url: `http://127.0.0.1:9/hooks/${secret}`,
        secret: key,
        headers: { 'x-token': header },
      },
      secrets: [secret, key, header],
    })),
  fc.record({ name: nameArb, token: secretArb }).map(({ name, token }) => ({
    body: { name, type: 'slack' as const, token: `xoxb-${token}`, channel: 'ops', apiUrl: 'http://127.0.0.1:9/api' },
    secrets: [token],
  })),
  fc.record({ name: nameArb, pass: secretArb }).map(({ name, pass }) => ({
    body: {
      name,
      type: 'email' as const,
      smtp: { host: '127.0.0.1', port: 2525, user: 'vigil', pass },
      from: 'vigil@example.com',
      to: ['ops@example.com'],
    },
    secrets: [pass],
  })),
);

test.serial('property: any channel added is listed with none of its secrets, and removed again', async (t) => {
  const s = await serve();
  t.teardown(s.close);
  await t.notThrowsAsync(
    fc.assert(
      fc.asyncProperty(channelArb, async ({ body, secrets }) => {
        const res = await s.send('POST', '/api/v1/settings/channels', body);
        if (res.status !== 201) throw new Error(`${res.status}: ${await res.text()}`);
        const shown = await answers(s);
        for (const secret of secrets) if (shown.includes(secret)) throw new Error(`${secret} shown back`);
        if ((await s.send('DELETE', `/api/v1/settings/channels/${body.name}`)).status !== 204)
          throw new Error('not removed');
      }),
      { numRuns: 60 },
    ),
  );
});

test.serial('property: a body that is not a channel is a 400 naming a field, never a 500', async (t) => {
  const s = await serve();
  t.teardown(s.close);
  // valid channels with one field changed or dropped, and anything at all
  const mutated = fc
    .tuple(
      channelArb,
      fc.constantFrom('name', 'type', 'url', 'secret', 'smtp', 'to', 'token', 'minSeverity', 'events'),
      fc.anything(),
    )
    .map(([{ body }, key, value]) => ({ ...body, [key]: value }));
  await t.notThrowsAsync(
    fc.assert(
      fc.asyncProperty(fc.oneof(mutated, fc.anything()), async (body) => {
        const res = await s.send('POST', '/api/v1/settings/channels', JSON.stringify(body ?? null));
        const text = await res.text();
        if (res.status === 201) {
          // a change that still makes a channel (a valid value for the field): it is one, and goes again
          const name = (JSON.parse(text) as ChannelSettings).name;
          await s.send('DELETE', `/api/v1/settings/channels/${encodeURIComponent(name)}`);
          return;
        }
        if (res.status !== 400) throw new Error(`${res.status}: ${text}`);
        if (!/^not a channel: [^:]+: /.test((JSON.parse(text) as { error: { message: string } }).error.message))
          throw new Error(`no field named: ${text}`);
      }),
      { numRuns: 200 },
    ),
  );
});
