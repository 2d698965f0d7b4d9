import test from 'ava';
import { parseInspect, type InspectJson } from '../../../src/docker/parse/inspect.js';
import type { ContainerRecord } from '../../../src/docker/types.js';
import { dependantStep, type DependantFacts } from '../../../src/recovery/dependants/dependant-step.js';
import type { FollowStep } from '../../../src/recovery/dependants/dependants.js';
import { freshRecovery } from '../../../src/store/recovery-state.js';
import { fixtureJson } from '../../helpers/fixtures.js';

const now = Date.parse('2026-11-22T07:00:00Z');
const base = parseInspect(fixtureJson<InspectJson>('engine/inspect-fx-plain.json'));
const record = (name: string, over: Partial<ContainerRecord> = {}): ContainerRecord => ({
  ...base,
  id: name.padEnd(64, '0'),
  name,
  labels: { 'vigil.autoheal': 'true' },
  ...over,
});
const root = record('db', { startedAt: new Date(now - 1000) });
const link: FollowStep = { id: 'app'.padEnd(64, '0'), kind: 'label', stale: false };
const facts = (over: Partial<DependantFacts> = {}): DependantFacts => ({
  desired: 'running',
  recovery: freshRecovery('k'),
  now,
  options: {
    autoheal: 'labelled',
    schedule: { baseMs: 1000, maxMs: 60_000, resetAfterMs: 600_000, maxAttempts: 4 },
    selfId: null,
  },
  ...over,
});
const runningSinceBefore = record('app', { state: 'running', startedAt: new Date(now - 60_000) });

const table: [string, ContainerRecord, FollowStep, DependantFacts, string][] = [
  ['running since before the root came back → restart', runningSinceBefore, link, facts(), 'act restart'],
  [
    'started after the root came back → left',
    record('app', { state: 'running', startedAt: new Date(now - 500) }),
    link,
    facts(),
    'skip already started after db',
  ],
  [
    'vigil itself → left',
    runningSinceBefore,
    link,
    facts({ options: { ...facts().options, selfId: runningSinceBefore.id } }),
    'skip vigil never acts on its own container',
  ],
  [
    'a person stopped it → left',
    record('app', { state: 'exited' }),
    link,
    facts({ desired: 'stopped' }),
    'skip a person stopped it; it stays stopped',
  ],
  [
    'exited and not known to be meant to run → left',
    record('app', { state: 'exited' }),
    link,
    facts({ desired: undefined }),
    'skip it is exited, not meant to run',
  ],
  ['unlabelled, autoheal labelled → refused', { ...runningSinceBefore, labels: {} }, link, facts(), 'skip not acting:'],
  [
    'in its own backoff → left',
    runningSinceBefore,
    link,
    facts({ recovery: { ...freshRecovery('k'), attempts: 1, nextAt: now + 5000 } }),
    'skip its own recovery is backing off (wait)',
  ],
  [
    'a sidecar whose namespace owner was recreated → recreate, even if started since',
    record('app', { state: 'running', startedAt: new Date(now - 500) }),
    { ...link, kind: 'network', stale: true },
    facts(),
    'act recreate',
  ],
];

for (const [title, dependant, step, given, expected] of table) {
  test(`a dependant of a container that came back: ${title}`, (t) => {
    const decided = dependantStep(root, dependant, step, given);
    const said = decided.kind === 'act' ? `act ${decided.action}` : `skip ${decided.reason}`;
    t.true(said.startsWith(expected), said);
    if (decided.kind === 'act') {
      t.false(decided.how.counted, 'a dependant brought back is never its own attempt');
      t.is(decided.how.networkMode, step.stale ? `container:${root.id}` : undefined);
    }
  });
}
