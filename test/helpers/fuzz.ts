import fc from 'fast-check';

// Generated hostile input for vigil's HTTP surface, shared by the hostile tests and `npm run soak`.

/** A label value: the containers the campaigns run, near misses, traversal and NUL, and anything at all. */
const label = fc.oneof(
  fc.constantFrom('web', 'untouchable', 'nope', '../etc', 'web\u0000', ''),
  fc.string({ maxLength: 30 }),
);

function alertArb(instance: string) {
  return fc.record({
    status: fc.constantFrom('firing', 'resolved'),
    labels: fc.record(
      {
        alertname: fc.oneof(
          fc.constantFrom('ContainerCpuHigh', 'ContainerUnhealthy', 'X'),
          fc.string({ maxLength: 20 }),
        ),
        container: label,
        id: fc.oneof(fc.hexaString({ minLength: 12, maxLength: 64 }), fc.string({ maxLength: 20 })),
        vigil_action: fc.constantFrom('restart', 'start', 'recreate', 'none', 'reboot', 'RESTART', ''),
        instance: fc.constantFrom(instance, 'host-b:9323', '', `${instance}x`),
        severity: fc.constantFrom('critical', 'warning', 'info', 'page'),
      },
      { requiredKeys: ['alertname'] },
    ),
    annotations: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 50 }), { maxKeys: 3 }),
    startsAt: fc.constantFrom('2026-11-23T10:00:00Z', '2026-11-23T10:00:00.123456789+01:00', 'yesterday', ''),
    endsAt: fc.constantFrom('0001-01-01T00:00:00Z', '2026-11-23T11:00:00Z'),
    generatorURL: fc.constant(''),
    fingerprint: fc.oneof(fc.hexaString({ minLength: 1, maxLength: 16 }), fc.string({ maxLength: 10 })),
  });
}

/** One webhook body: mostly well-formed alerts with odd labels, some mutated, some garbage. */
export function webhookBodyArb(instance: string): fc.Arbitrary<string> {
  const alert = alertArb(instance);
  const envelope = {
    version: '4',
    groupKey: 'g',
    status: 'firing',
    receiver: 'vigil',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: '',
  };
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.array(alert, { maxLength: 5 }).map((alerts) => JSON.stringify({ ...envelope, alerts })),
    },
    { weight: 2, arbitrary: fc.jsonValue().map((j) => JSON.stringify(j)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.array(alert, { maxLength: 3 }), fc.constantFrom('3', 4, null))
        .map(([alerts, version]) => JSON.stringify({ version, alerts })),
    },
  );
}

/** Whether vigil may act on a body: valid v4, a firing alert asking restart/recreate about `web` from this instance. */
export function mayActOn(body: string, instance: string): boolean {
  try {
    const p = JSON.parse(body) as { version?: unknown; alerts?: { status: string; labels: Record<string, string> }[] };
    if (p.version !== '4' || !Array.isArray(p.alerts)) return false;
    return p.alerts.some((a) => {
      const act = a.labels.vigil_action?.toLowerCase();
      return (
        a.status === 'firing' &&
        (act === 'restart' || act === 'recreate') &&
        a.labels.instance === instance &&
        a.labels.container === 'web'
      );
    });
  } catch {
    return false;
  }
}

const segment = fc.oneof(
  fc.constantFrom(
    'containers',
    'web',
    'health',
    'stats',
    'logs',
    'alerts',
    'history',
    'channels',
    'system',
    'events',
    'acknowledge',
    '..',
    '%2e%2e',
    '%00',
    '%E0%A4%A',
  ),
  fc.webSegment(),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
);

/** One API request: a method, a path under /api/v1 and a query string, each from near-valid to hostile. */
export const apiRequestArb = fc
  .record({
    method: fc.constantFrom('GET', 'GET', 'POST', 'PROPFIND', 'DELETE', 'PUT', 'OPTIONS'),
    path: fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => `/api/v1/${s.join('/')}`),
    query: fc.dictionary(
      fc.constantFrom('tail', 'follow', 'since', 'days', 'limit', 'cursor', 'types', 'lastEventId', 'x'),
      fc.oneof(
        fc.string({ maxLength: 12 }),
        fc.constantFrom('all', '1e-7', '0.0000001', '-1', '99999999999', 'true', '%'),
      ),
    ),
  })
  .map((r) => {
    const qs = new URLSearchParams(r.query).toString();
    return { method: r.method, url: `${r.path}${qs ? `?${qs}` : ''}` };
  });

/** An Alertmanager webhook body of `count` firing alerts with 300-byte descriptions: a flood. */
export function alertFlood(batch: number, count: number, instance: string): string {
  const alerts = Array.from({ length: count }, (_, j) => ({
    status: 'firing',
    labels: { alertname: `Flood${batch}`, n: String(j), instance },
    annotations: { description: 'x'.repeat(300) },
    startsAt: new Date().toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: '',
    fingerprint: (batch * 100_000 + j).toString(16),
  }));
  return JSON.stringify({
    version: '4',
    groupKey: 'g',
    status: 'firing',
    receiver: 'v',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: '',
    alerts,
  });
}
