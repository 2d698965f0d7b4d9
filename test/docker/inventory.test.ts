import test from 'ava';
import { newEntry, refreshedEntry } from '../../src/docker/inventory.js';
import { parseInspect, type InspectJson } from '../../src/docker/parse/inspect.js';
import { fixtureJson } from '../helpers/fixtures.js';

const record = () => parseInspect(fixtureJson<InspectJson>('engine/inspect-fx-plain.json'));
const now = new Date('2026-11-22T06:00:00Z');

test('a container seen for the first time starts from the engine restart count and OOM flag', (t) => {
  const r = { ...record(), restartCount: 3, oomKilled: true };
  const e = newEntry(r, now);
  t.is(e.restarts, 3);
  t.is(e.oomKills, 1);
  t.is(e.observedAt, now);
});

test('a new StartedAt counts one restart', (t) => {
  const r = record();
  const e = newEntry(r, now);
  const later = { ...r, startedAt: new Date(r.startedAt!.getTime() + 5000) };
  t.is(refreshedEntry(e, later, now).restarts, 1);
});

test('the same StartedAt, a first start, or a stop is no restart', (t) => {
  const r = record();
  const e = newEntry(r, now);
  t.is(refreshedEntry(e, r, now).restarts, 0);
  const created = newEntry({ ...r, startedAt: null }, now);
  t.is(refreshedEntry(created, r, now).restarts, 0, 'a first start of a created container');
  t.is(refreshedEntry(e, { ...r, state: 'exited' }, now).restarts, 0);
});
