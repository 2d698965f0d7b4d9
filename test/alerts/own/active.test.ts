import test from 'ava';
import { activeOwnAlerts, type OwnAlertFacts } from '../../../src/alerts/own/active.js';
import { healthyNow } from '../../../src/alerts/own/sources.js';

const none: OwnAlertFacts = {
  gaveUp: [],
  probesFailing: [],
  spikes: [],
  host: [],
  channelsFailing: [],
  bootLeftDown: [],
};

const table: [string, Partial<OwnAlertFacts>, { alertname: string; severity: string; container: string | null }[]][] = [
  ['nothing wrong: no alert', {}, []],
  [
    'vigil gave up on a container still down: critical',
    { gaveUp: [{ name: 'web', healthy: false }] },
    [{ alertname: 'VigilRecoveryGaveUp', severity: 'critical', container: 'web' }],
  ],
  ['a container vigil gave up on that is healthy again: resolved', { gaveUp: [{ name: 'web', healthy: true }] }, []],
  [
    'a failing probe (the hook of src/probes)',
    { probesFailing: [{ name: 'api', detail: 'exit 1' }] },
    [{ alertname: 'VigilProbeFailing', severity: 'warning', container: 'api' }],
  ],
  [
    'a spike at its level',
    { spikes: [{ name: 'hot', resource: 'memory', level: 'critical' }] },
    [{ alertname: 'VigilMemorySpike', severity: 'critical', container: 'hot' }],
  ],
  [
    'the host over its CPU line, about no container',
    { host: [{ resource: 'cpu', level: 'warning' }] },
    [{ alertname: 'VigilHostCpu', severity: 'warning', container: null }],
  ],
  [
    'a failing channel',
    { channelsFailing: [{ name: 'mail', lastError: 'ECONNREFUSED' }] },
    [{ alertname: 'VigilChannelFailing', severity: 'warning', container: null }],
  ],
  [
    'the boot reconcile left a container down',
    { bootLeftDown: [{ name: 'db', reason: 'no such image' }] },
    [{ alertname: 'VigilBootLeftDown', severity: 'critical', container: 'db' }],
  ],
];

for (const [title, facts, expected] of table) {
  test(`own alerts: ${title}`, (t) => {
    const alerts = activeOwnAlerts({ ...none, ...facts }, 'h1');
    t.deepEqual(
      alerts.map((a) => ({ alertname: a.alertname, severity: a.severity, container: a.container })),
      expected,
    );
  });
}

test('a failing channel is told apart by its name', (t) => {
  const alerts = activeOwnAlerts(
    {
      ...none,
      channelsFailing: [
        { name: 'mail', lastError: null },
        { name: 'slack', lastError: null },
      ],
    },
    'h1',
  );
  t.deepEqual(
    alerts.map((a) => a.extraLabels),
    [{ channel: 'mail' }, { channel: 'slack' }],
  );
});

test('healthy again: running and healthy, or running without a HEALTHCHECK; not starting, unhealthy or exited', (t) => {
  const health = (status: 'healthy' | 'unhealthy' | 'starting') => ({ status, failingStreak: 0, log: [] });
  t.true(healthyNow({ state: 'running', health: null }));
  t.true(healthyNow({ state: 'running', health: health('healthy') }));
  t.false(healthyNow({ state: 'running', health: health('starting') }));
  t.false(healthyNow({ state: 'running', health: health('unhealthy') }));
  t.false(healthyNow({ state: 'exited', health: null }));
});
