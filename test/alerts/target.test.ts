import test from 'ava';
import { alertTarget, instancePattern, requestedAction } from '../../src/alerts/target.js';

const web = { id: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2', name: 'web' };
const api = { id: 'ffb2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2', name: 'api' };
const here = [web, api];
const labels = ['container', 'name', 'container_name', 'id'];
const one = instancePattern('host-a:9323');
const any = null;

const table: [string, Record<string, string>, RegExp | null, string, Record<string, unknown>?][] = [
  [
    'id label of a container here → it, actionable',
    { alertname: 'X', id: web.id.slice(0, 12) },
    one,
    'container',
    { id: web.id, by: 'id', actionable: true },
  ],
  [
    'id label wins even from another instance (ids do not repeat across hosts)',
    { alertname: 'X', id: web.id.slice(0, 12), instance: 'host-b:9323' },
    one,
    'container',
    { id: web.id, actionable: true },
  ],
  [
    'id label not here, another instance → other host',
    { alertname: 'X', id: '0123456789ab', instance: 'host-b:9323' },
    one,
    'other-host',
  ],
  ['id label not here, no instance rule → unknown', { alertname: 'X', id: '0123456789ab' }, any, 'unknown'],
  ['id label too short to be unique → unknown', { alertname: 'X', id: 'a1b2' }, any, 'unknown'],
  [
    'name, instance matches → actionable',
    { alertname: 'X', name: 'web', instance: 'host-a:9323' },
    one,
    'container',
    { id: web.id, by: 'name', actionable: true },
  ],
  ['name, another instance → other host', { alertname: 'X', name: 'web', instance: 'host-b:9323' }, one, 'other-host'],
  [
    'name, instance rule set but no instance label → recorded, not actionable',
    { alertname: 'X', name: 'web' },
    one,
    'container',
    { actionable: false },
  ],
  [
    'name, no instance rule → actionable (one host)',
    { alertname: 'X', container: 'web', instance: 'anything' },
    any,
    'container',
    { actionable: true },
  ],
  [
    'the instance rule is anchored: a longer instance does not match',
    { alertname: 'X', name: 'web', instance: 'host-a:93234' },
    one,
    'other-host',
  ],
  ['unknown name → unknown', { alertname: 'X', name: 'nope' }, any, 'unknown'],
  ['hostile name → unknown, not a crash', { alertname: 'X', name: '../../etc/passwd' }, any, 'unknown'],
  ['no container label → about no container', { alertname: 'VigilDown', instance: 'host-a:9323' }, one, 'none'],
  [
    'no container label, another instance → other host',
    { alertname: 'VigilDown', instance: 'host-b:9323' },
    one,
    'other-host',
  ],
];

for (const [title, given, pattern, kind, like] of table) {
  test(`alert target: ${title}`, (t) => {
    const target = alertTarget(given, here, { nameLabels: labels, instancePattern: pattern });
    t.is<string, string>(target.kind, kind);
    if (like) t.like(target, like);
  });
}

test('alert target: an id prefix matching two containers is not taken for either', (t) => {
  const twins = [
    { id: `abcdefabcdef${'0'.repeat(52)}`, name: 'x' },
    { id: `abcdefabcdef${'1'.repeat(52)}`, name: 'y' },
  ];
  t.is(
    alertTarget({ alertname: 'X', id: 'abcdefabcdef' }, twins, { nameLabels: labels, instancePattern: null }).kind,
    'unknown',
  );
});

test('requested action: vigil_action restart, start, recreate; absent or none asks nothing; anything else is refused', (t) => {
  t.deepEqual(requestedAction({ vigil_action: 'restart' }), { ok: true, action: 'restart' });
  t.deepEqual(requestedAction({ vigil_action: 'Recreate' }), { ok: true, action: 'recreate' });
  t.deepEqual(requestedAction({ vigil_action: 'start' }), { ok: true, action: 'start' });
  t.deepEqual(requestedAction({}), { ok: true, action: null });
  t.deepEqual(requestedAction({ vigil_action: 'none' }), { ok: true, action: null });
  t.deepEqual(
    requestedAction({ severity: 'critical' }),
    { ok: true, action: null },
    'severity never implies an action',
  );
  const bad = requestedAction({ vigil_action: 'rm -rf' });
  t.false(bad.ok);
});
