import test from 'ava';
import { containerOfAlert, parseWebhookPayload, severityOf } from '../../src/alerts/payload.js';

// the documented version 4 payload, as Alertmanager sends it
const valid = {
  receiver: 'vigil',
  status: 'firing',
  version: '4',
  groupKey: '{}:{alertname="ProbeFailure"}',
  truncatedAlerts: 0,
  groupLabels: { alertname: 'ProbeFailure' },
  commonLabels: { alertname: 'ProbeFailure', severity: 'critical' },
  commonAnnotations: { summary: 's' },
  externalURL: 'http://127.0.0.1:9093',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'ProbeFailure', container: 'web' },
      annotations: {},
      startsAt: '2023-02-06T13:08:45.828Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://127.0.0.1:9090/graph',
      fingerprint: '1a30ba71cca2921f',
    },
  ],
};

test('a version 4 payload parses, unknown extra fields tolerated', (t) => {
  const r = parseWebhookPayload({ ...valid, orgId: 1, alerts: [{ ...valid.alerts[0], silenceURL: 'x' }] });
  t.true(r.ok);
});

test('every problem is named by its path', (t) => {
  const cases: [unknown, RegExp][] = [
    [{ ...valid, version: '3' }, /^version: version must be "4"/],
    [{ ...valid, alerts: undefined }, /^alerts:/],
    [
      { ...valid, alerts: [{ ...valid.alerts[0], fingerprint: 'not hex!' }] },
      /^alerts\.0\.fingerprint: fingerprint must be hexadecimal/,
    ],
    [
      { ...valid, alerts: [{ ...valid.alerts[0], labels: { container: 'web' } }] },
      /^alerts\.0\.labels: every alert needs an alertname/,
    ],
    [{ ...valid, alerts: [{ ...valid.alerts[0], startsAt: 'yesterday' }] }, /^alerts\.0\.startsAt/],
    ['a string', /^body:/],
  ];
  for (const [body, problem] of cases) {
    const r = parseWebhookPayload(body);
    t.false(r.ok);
    t.regex(!r.ok ? r.problems[0]! : '', problem);
  }
});

test('the container comes from the first configured label present', (t) => {
  const names = ['container', 'name', 'container_name', 'id'];
  t.is(containerOfAlert({ alertname: 'x', name: '/web', container: '' }, names), 'web');
  t.is(containerOfAlert({ alertname: 'x', container: 'api', name: 'web' }, names), 'api');
  t.is(containerOfAlert({ alertname: 'x', instance: 'host:9100' }, names), null);
});

test("severity maps to vigil's three levels", (t) => {
  t.is(severityOf({ severity: 'critical' }), 'critical');
  t.is(severityOf({ severity: 'page' }), 'critical');
  t.is(severityOf({ severity: 'warning' }), 'warning');
  t.is(severityOf({}), 'info');
});
