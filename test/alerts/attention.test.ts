import test from 'ava';
import fc from 'fast-check';
import { actionRequired, alertSource, attentionContext, type AttentionContext } from '../../src/alerts/attention.js';
import type { AlertRecord } from '../../src/store/alerts.js';

const alert = (over: Partial<AlertRecord>): AlertRecord => ({
  fingerprint: '0123456789abcdef',
  startsAt: '2026-12-01T00:00:00Z',
  status: 'firing',
  alertname: 'X',
  severity: 'warning',
  labels: { alertname: 'X' },
  annotations: {},
  endsAt: null,
  generatorUrl: 'http://prometheus:9090/graph?g0.expr=x',
  containerName: 'web',
  receivedAt: 0,
  updatedAt: 0,
  acknowledgedBy: null,
  acknowledgedAt: null,
  silenceId: null,
  closedReason: null,
  ...over,
});

const containers: Record<string, { labels: Record<string, string>; gaveUp: boolean }> = {
  web: { labels: { 'vigil.autoheal': 'true' }, gaveUp: false },
  stuck: { labels: { 'vigil.autoheal': 'true' }, gaveUp: true },
  forbidden: { labels: { 'vigil.autoheal': 'false' }, gaveUp: false },
  hot: { labels: { 'vigil.autoheal': 'true', 'vigil.spike.action': 'restart' }, gaveUp: false },
};
const ctx: AttentionContext = { autoheal: 'labelled', container: (name) => containers[name] };
const restart = { alertname: 'X', vigil_action: 'restart' };
const vigilOwn = { generatorUrl: null, labels: { alertname: 'VigilCpuSpike', source: 'vigil' } };

const table: [string, Partial<AlertRecord>, boolean][] = [
  ['a warning vigil restarts by itself needs no one', { labels: restart }, false],
  ['critical always needs a person, even when vigil acts', { labels: restart, severity: 'critical' }, true],
  ['vigil gave up on the container', { labels: restart, containerName: 'stuck' }, true],
  ['the rule asks for no action', {}, true],
  ['vigil_action=none', { labels: { alertname: 'X', vigil_action: 'none' } }, true],
  ['an action vigil does not know', { labels: { alertname: 'X', vigil_action: 'reboot' } }, true],
  ['the container forbids it (vigil.autoheal=false)', { labels: restart, containerName: 'forbidden' }, true],
  ['about no container (the host, the engine)', { labels: restart, containerName: null }, true],
  ['about a container not on this host', { labels: restart, containerName: 'elsewhere' }, true],
  ['a resolved alert needs no one', { status: 'resolved', severity: 'critical' }, false],
  ["vigil's own spike on a container without vigil.spike.action", vigilOwn, true],
  [
    "vigil's own spike on a container labelled vigil.spike.action=restart",
    { ...vigilOwn, containerName: 'hot' },
    false,
  ],
];

for (const [title, over, expected] of table) {
  test(`actionRequired: ${title}`, (t) => {
    t.is(actionRequired(alert(over), ctx), expected);
  });
}

test('alertSource: vigil only for its own labelled alerts without a generator URL', (t) => {
  t.is(alertSource({ labels: { source: 'vigil' }, generatorUrl: null }), 'vigil');
  t.is(alertSource({ labels: { source: 'vigil' }, generatorUrl: 'http://p/graph' }), 'alertmanager');
  t.is(alertSource({ labels: {}, generatorUrl: null }), 'alertmanager');
});

test('actionRequired: every critical firing alert needs a person, whatever else it says', (t) => {
  // fc.assert throws with the shrunk counterexample when the property fails
  t.notThrows(() =>
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.string()),
        fc.option(fc.constantFrom('web', 'stuck', 'hot', 'forbidden', 'elsewhere'), { nil: null }),
        (labels, containerName) => actionRequired(alert({ labels, containerName, severity: 'critical' }), ctx),
      ),
    ),
  );
});

test('attentionContext: a container by name, with whether vigil gave up on it', (t) => {
  const entry = (id: string, name: string) => ({ record: { id, name, labels: { a: 'b' } } }) as never;
  const context = attentionContext(
    [entry('1', 'web'), entry('2', 'db')],
    [
      { record: { id: '1' }, state: { gaveUpAt: null } },
      { record: { id: '2' }, state: { gaveUpAt: 5 } },
    ],
    'all',
  );
  t.deepEqual(context.container('web'), { labels: { a: 'b' }, gaveUp: false });
  t.deepEqual(context.container('db'), { labels: { a: 'b' }, gaveUp: true });
  t.is(context.container('nope'), undefined);
});
