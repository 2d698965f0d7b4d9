import test from 'ava';
import { channelChangeSchema } from '../../src/http/routes/settings.js';
import { channelSchema } from '../../src/notify/channel-config.js';
import { applyChannelChange, ChannelSettingsSource, effectiveInterest } from '../../src/notify/channel-settings.js';
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

test('the page over the file for events and minimum severity, each with its source', (t) => {
  t.deepEqual(effectiveInterest(hook, undefined), {
    events: { value: ['crash'], source: 'config' },
    minSeverity: { value: 'warning', source: 'config' },
  });
  t.deepEqual(effectiveInterest(hook, { minSeverity: 'critical' }).minSeverity, { value: 'critical', source: 'page' });
  t.deepEqual(effectiveInterest({ minSeverity: 'info' }, undefined).events, { value: null, source: 'config' });
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
  const dispatcher = { setInterest: (name: string, i: unknown) => applied.push({ name, ...(i as object) }) > 0 };
  const db = openStore(dir);
  const source = new ChannelSettingsSource([hook], new PageSettingsStore(db), dispatcher);
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
  new ChannelSettingsSource([hook], new PageSettingsStore(again), dispatcher);
  t.deepEqual(applied, [{ name: 'ops', events: ['crash'], minSeverity: 'critical' }], 'kept across the restart');
});
