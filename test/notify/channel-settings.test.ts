import test from 'ava';
import { channelChangeSchema } from '../../src/http/routes/settings.js';
import { channelSchema, type ChannelConfig } from '../../src/notify/channel-config.js';
import {
  applyChannelChange,
  changedAddedChannel,
  ChannelSettingsSource,
  effectiveInterest,
  secretFieldsOf,
} from '../../src/notify/channel-settings.js';
import type { Notifier } from '../../src/notify/notifier.js';
import { openStore } from '../../src/store/db.js';
import { PageSettingsStore } from '../../src/store/page-settings.js';
import { tempDir } from '../helpers/temp-dir.js';

const hook = channelSchema.parse({
  name: 'ops',
  type: 'webhook',
  url: 'https://hooks.example/services/T0A1B2C3D/B0E4F5G6H/q8Zr3kLm9XwT2vNp7YcJ4sHd?token=abc',
  secret: 'signing-key-123',
  events: ['crash'],
  minSeverity: 'warning',
});

const noNotifier = (c: ChannelConfig): Notifier => ({ type: c.type, name: c.name, send: async () => undefined });

test('the page over the file for events and minimum severity, each with its source', (t) => {
  t.deepEqual(effectiveInterest(hook, undefined), {
    events: { value: ['crash'], source: 'file' },
    minSeverity: { value: 'warning', source: 'file' },
  });
  t.deepEqual(effectiveInterest(hook, { minSeverity: 'critical' }).minSeverity, { value: 'critical', source: 'page' });
  t.deepEqual(effectiveInterest({ minSeverity: 'info' }, undefined).events, { value: null, source: 'file' });
});

test('a change sets, null gives back to the file, absent leaves', (t) => {
  const set = applyChannelChange(undefined, { events: ['oom', 'crash'] });
  t.deepEqual(set, { events: ['oom', 'crash'] });
  t.deepEqual(applyChannelChange(set, { minSeverity: 'critical' }), {
    events: ['oom', 'crash'],
    minSeverity: 'critical',
  });
  t.deepEqual(applyChannelChange(set, { events: null }), {});
  t.false(channelChangeSchema.safeParse({ events: ['nope'] }).success);
  t.false(channelChangeSchema.safeParse({ events: [] }).success);
  t.false(channelChangeSchema.safeParse({ url: 'https://elsewhere' }).success, 'only events and severity');
});

test('applied to the dispatcher at once and again after a restart; the secret is never shown', (t) => {
  const dir = tempDir(t, 'channel-settings');
  const applied: unknown[] = [];
  const dispatcher = {
    setInterest: (name: string, i: unknown) => applied.push({ name, ...(i as object) }) > 0,
    addChannel: () => true,
    removeChannel: async () => true,
  };
  const db = openStore(dir);
  const source = new ChannelSettingsSource([hook], new PageSettingsStore(db), dispatcher, noNotifier);
  const changed = source.change('ops', { minSeverity: 'critical' });
  t.like(changed, { name: 'ops', minSeverity: { value: 'critical', source: 'page' } });
  t.deepEqual(applied.at(-1), { name: 'ops', events: ['crash'], minSeverity: 'critical' });
  t.is(source.change('nope', { minSeverity: 'info' }), null);
  const shown = JSON.stringify(source.list());
  t.false(shown.includes('q8Zr3kLm9XwT2vNp7YcJ4sHd'));
  t.false(shown.includes('abc'));
  t.false(shown.includes('signing-key'));
  db.close();

  applied.length = 0;
  const again = openStore(dir);
  t.teardown(() => again.close());
  new ChannelSettingsSource([hook], new PageSettingsStore(again), dispatcher, noNotifier);
  t.deepEqual(applied, [{ name: 'ops', events: ['crash'], minSeverity: 'critical' }], 'kept across the restart');
});

test('the secret fields of each kind of channel are named, never their values', (t) => {
  t.deepEqual(secretFieldsOf(hook), ['url', 'secret']);
  const plain = channelSchema.parse({ name: 'p', type: 'webhook', url: 'http://127.0.0.1:9/alerts' });
  t.deepEqual(secretFieldsOf(plain), [], 'a URL with nothing hidden is no secret');
  const headed = channelSchema.parse({ ...plain, headers: { Authorization: 'Bearer x' } });
  t.deepEqual(secretFieldsOf(headed), ['headers.Authorization']);
  const slackApi = channelSchema.parse({ name: 's', type: 'slack', token: 'xoxb-123456789', channel: 'ops' });
  t.deepEqual(secretFieldsOf(slackApi), ['token']);
  const slackHook = channelSchema.parse({ name: 's', type: 'slack', url: 'https://chat.example/hook' });
  t.deepEqual(secretFieldsOf(slackHook), ['url'], "a chat webhook's URL is its secret");
  const mail = channelSchema.parse({
    name: 'm',
    type: 'email',
    smtp: { host: 'mail', user: 'u', pass: 'hunter22' },
    from: 'vigil@example.com',
    to: ['ops@example.com'],
  });
  t.deepEqual(secretFieldsOf(mail), ['smtp.pass']);
});

test("a page-added channel's events and severity change in its own configuration; null gives back all and info", (t) => {
  const c = channelSchema.parse({ name: 'p', type: 'webhook', url: 'http://127.0.0.1:9/a', minSeverity: 'warning' });
  t.deepEqual(changedAddedChannel(c, { events: ['oom'] }).events, ['oom']);
  t.is(changedAddedChannel({ ...c, events: ['oom'] }, { events: null }).events, undefined);
  t.is(changedAddedChannel(c, { minSeverity: null }).minSeverity, 'info');
  t.is(changedAddedChannel(c, {}).minSeverity, 'warning', 'absent leaves');
});

test('a channel added on the page goes to the dispatcher at once, is kept across a restart, and is removed', async (t) => {
  const dir = tempDir(t, 'channel-added');
  const live = new Map<string, ChannelConfig>();
  const dispatcher = {
    setInterest: (name: string, i: Pick<ChannelConfig, 'events' | 'minSeverity'>) => {
      const c = live.get(name);
      if (c) live.set(name, { ...c, ...i });
      return c !== undefined;
    },
    addChannel: (_n: Notifier, c: ChannelConfig) => !live.has(c.name) && live.set(c.name, c) !== undefined,
    removeChannel: async (name: string) => live.delete(name),
  };
  const warnings: string[] = [];
  const open = (db: ReturnType<typeof openStore>) =>
    new ChannelSettingsSource([hook], new PageSettingsStore(db), dispatcher, noNotifier, (m) => warnings.push(m));
  const db = openStore(dir);
  const source = open(db);
  const token = 'Zq4rT8vL2mXw9KpB';
  const added = source.add(
    channelSchema.parse({
      name: 'pager',
      type: 'webhook',
      url: `http://127.0.0.1:9/hooks/${token}`,
      secret: 'sign-me-123',
    }),
  );
  t.like(added, { name: 'pager', addedBy: 'page', secrets: ['url', 'secret'], minSeverity: { source: 'page' } });
  t.true(live.has('pager'), 'handed to the dispatcher');
  t.is(source.add(channelSchema.parse({ name: 'pager', type: 'webhook', url: 'http://127.0.0.1:9/' })), null);
  t.is(
    source.add(channelSchema.parse({ name: 'ops', type: 'webhook', url: 'http://127.0.0.1:9/' })),
    null,
    "the file's name",
  );
  t.like(source.change('pager', { minSeverity: 'critical' }), { minSeverity: { value: 'critical', source: 'page' } });
  t.is(live.get('pager')?.minSeverity, 'critical', 'applied at once');
  const shown = JSON.stringify(source.list());
  t.false(shown.includes(token));
  t.false(shown.includes('sign-me-123'));
  db.close();

  live.clear();
  const again = openStore(dir);
  t.teardown(() => again.close());
  const reopened = open(again);
  t.like(
    live.get('pager'),
    { minSeverity: 'critical', secret: 'sign-me-123' },
    'kept, with its secret, across the restart',
  );
  t.deepEqual(
    reopened.list().map((c) => [c.name, c.addedBy]),
    [
      ['ops', 'file'],
      ['pager', 'page'],
    ],
  );
  t.is(await reopened.remove('ops'), 'from-config');
  t.is(await reopened.remove('nope'), 'unknown');
  t.is(await reopened.remove('pager'), 'removed');
  t.false(live.has('pager'));
  t.deepEqual(
    reopened.list().map((c) => c.name),
    ['ops'],
  );
  t.deepEqual(warnings, []);
});
