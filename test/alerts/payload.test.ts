import test from 'ava';
import fc from 'fast-check';
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

test('property: any JSON body is either a version 4 payload or a list of named problems, never a throw', (t) => {
  const alertish = fc.record(
    {
      status: fc.constantFrom('firing', 'resolved', 'x'),
      labels: fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(fc.string({ maxLength: 10 }), fc.integer())),
      annotations: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })),
      startsAt: fc.constantFrom('2026-11-23T10:00:00Z', 'soon', ''),
      endsAt: fc.constantFrom('0001-01-01T00:00:00Z', 7),
      fingerprint: fc.hexaString({ maxLength: 16 }),
    },
    { requiredKeys: [] },
  );
  const body = fc.oneof(
    fc.jsonValue(),
    fc.record(
      { version: fc.constantFrom('4', '3', 4), alerts: fc.array(alertish, { maxLength: 4 }) },
      { requiredKeys: [] },
    ),
  );
  fc.assert(
    fc.property(body, (b) => {
      const result = parseWebhookPayload(b);
      if (result.ok) {
        t.is(result.payload.version, '4');
        for (const a of result.payload.alerts) t.true(a.status === 'firing' || a.status === 'resolved');
      } else {
        t.true(result.problems.length > 0 && result.problems.length <= 20);
        for (const p of result.problems) t.regex(p, /: \S/);
      }
    }),
    { numRuns: 2000, seed: 9 },
  );
});
