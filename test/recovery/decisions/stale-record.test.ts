import test from 'ava';
import { parseInspect, type InspectJson } from '../../../src/docker/parse/inspect.js';
import type { ContainerRecord } from '../../../src/docker/types.js';
import { predatesOwnStart } from '../../../src/recovery/decisions/stale-record.js';
import { fixtureJson } from '../../helpers/fixtures.js';

const actedOn = Date.parse('2026-11-22T07:00:00Z');
const record = (state: ContainerRecord['state'], startedAt: number | null): ContainerRecord => ({
  ...parseInspect(fixtureJson<InspectJson>('engine/inspect-fx-exited.json')),
  state,
  startedAt: startedAt === null ? null : new Date(startedAt),
});

const table: [string, ContainerRecord, number | null, boolean][] = [
  ['the die of the restart itself, inspected late: the run the action ended', record('exited', actedOn), actedOn, true],
  ['running as before the restart, inspected late', record('running', actedOn), actedOn, true],
  ['an older run still', record('exited', actedOn - 60_000), actedOn, true],
  ['the run the action started', record('running', actedOn + 1), actedOn, false],
  ['a crash of the run the action started: acted on', record('exited', actedOn + 50), actedOn, false],
  ['never started, and the action was taken on a record never started', record('created', null), null, true],
  ['started since an action taken on a record never started', record('exited', actedOn), null, false],
];

for (const [title, rec, startedAt, stale] of table) {
  test(`a record predates the medic's own start: ${title} → ${stale}`, (t) => {
    t.is(predatesOwnStart(rec, startedAt), stale);
  });
}
