import test from 'ava';
import {
  ago,
  cpuText,
  detailLine,
  feedText,
  memoryShare,
  memoryText,
  plural,
  readinessText,
  scoreText,
  stateText,
  type FeedEvent,
} from '../../web/src/texts.js';

// the envelope every event of these tests shares; each test gives its type and data, typed by the union
const about = { id: 1, time: '2026-12-01T10:00:00.000Z', container: { id: 'abc', name: 'web' } };
const spike = { previous: 'normal', warn: 80, crit: 90, forSeconds: 30, notify: true } as const;

const stateOf = (status: 'running' | 'exited', exitedAt: string | null = null, exitCode: number | null = null) => ({
  status,
  startedAt: null,
  exitedAt,
  exitCode,
});

test('the detail line: "trend stable", not "trendstable"; 1 incident, 1 restart; uptime only while running', (t) => {
  const history = { trend: 'stable', meanTimeToRecoverSeconds: 9, incidents: [{}] };
  t.is(
    detailLine(
      { status: 'running', image: 'busybox', uptime: '2m3s', restarts: 1, state: stateOf('running') },
      history,
    ),
    'running · busybox · up 2m3s · 1 restart · trend stable · recovers in 9 s on average (1 incident)',
  );
  t.is(
    detailLine(
      { status: 'exited', image: 'busybox', uptime: '0s', restarts: 3, state: stateOf('exited') },
      { ...history, incidents: [{}, {}] },
    ),
    'exited · busybox · 3 restarts · trend stable · recovers in 9 s on average (2 incidents)',
  );
  t.is(
    detailLine({ status: 'running', image: 'i', uptime: '1s', restarts: 0, state: stateOf('running') }, null),
    'running · i · up 1s · 0 restarts · trend …',
  );
  const now = Date.parse('2026-12-01T10:03:00Z');
  t.is(
    detailLine(
      { status: 'exited', image: 'i', uptime: '0s', restarts: 0, state: stateOf('exited', '2026-12-01T10:00:00Z', 1) },
      null,
      now,
    ),
    'exited 3 min ago (exit 1) · i · 0 restarts · trend …',
  );
});

test('plural: one noun for one, the plural for any other count', (t) => {
  t.is(plural(1, 'incident'), '1 incident');
  t.is(plural(0, 'incident'), '0 incidents');
  t.is(plural(2, 'dependant'), '2 dependants');
});

test('readiness says what is wrong in its own words: "the engine is unreachable", never "engine cannot reach the engine"', (t) => {
  const ok = { status: 'ok', severity: 'critical' } as const;
  t.is(readinessText({ engine: { ...ok, severity: 'degraded' }, store: ok }), 'engine ok · store ok');
  const line = readinessText({
    engine: {
      status: 'degraded',
      severity: 'degraded',
      reason: 'the engine is unreachable at unix:///var/run/docker.sock',
    },
    store: ok,
  });
  t.is(line, 'the engine is unreachable at unix:///var/run/docker.sock · store ok');
  t.notRegex(line, /engine (cannot|the engine)/);
});

test('a daily health score is a percentage of the day', (t) => {
  t.is(scoreText(0.1673), '17 %');
  t.is(scoreText(1), '100 %');
  t.is(scoreText(null), '–');
});

test("the feed tells a stop from a crash, gives the medic's reason and its giving up, and names units", (t) => {
  t.is(
    feedText({
      ...about,
      type: 'container.state',
      data: { from: 'running', to: 'exited', exitCode: 137, cause: 'stopped' },
    }),
    'running → exited: stopped on request (exit code 137); vigil leaves it stopped',
  );
  t.is(
    feedText({
      ...about,
      type: 'container.state',
      data: { from: 'running', to: 'exited', exitCode: 1, cause: 'crashed' },
    }),
    'running → exited: crashed (exit code 1)',
  );
  t.is(
    feedText({
      ...about,
      type: 'recovery.action',
      data: { action: 'start', outcome: 'success', reason: 'crashed with exit code 1', attempt: 1, counted: true },
    }),
    'vigil start: success — crashed with exit code 1 (attempt 1)',
  );
  t.is(
    feedText({
      ...about,
      type: 'recovery.action',
      data: { action: 'restart', outcome: 'success', reason: 'asked by a person (page)', by: 'page', counted: false },
    }),
    'restart by a person through the page',
    "a person's restart is theirs, not vigil's",
  );
  t.is(
    feedText({
      ...about,
      type: 'recovery.action',
      data: {
        action: 'stop',
        outcome: 'failure',
        reason: 'asked by a person (api)',
        by: 'api',
        counted: false,
        error: 'no such container',
      },
    }),
    'stop asked by a person through the API failed: no such container',
  );
  t.is(
    feedText({ ...about, type: 'recovery.gave_up', data: { attempts: 1, reason: 'crashed' } }),
    'vigil gave up after 1 attempt: crashed; it needs a person',
  );
  t.is(
    feedText({
      ...about,
      type: 'recovery.dependants',
      data: { steps: [{ name: 'db-sidecar', action: 'restart', outcome: 'success', reason: 'x' }] },
    }),
    'came back; what depends on it followed: db-sidecar restart success',
  );
  t.is(
    feedText({
      ...about,
      type: 'resource.spike',
      data: { ...spike, resource: 'memory', percent: 91.5, level: 'critical' },
    }),
    'memory at 91.5 % of its limit (critical)',
  );
  t.is(
    feedText({
      ...about,
      type: 'incident.closed',
      data: { id: 'i1', outcome: 'gave_up', durationSeconds: 9.4, steps: 3 },
    }),
    'incident closed (gave up) after 9 s',
  );
  // a newer server's event this page has no words for: it arrives as JSON, untyped
  const newer: FeedEvent = JSON.parse('{"id":2,"type":"something.new","time":"2026-12-01T10:00:00.000Z","data":{}}');
  t.is(feedText(newer), 'something.new');
});

test('state: "up" while it runs; "exited 3 min ago (exit 1)" once it stopped, never "up 0s"', (t) => {
  const now = Date.parse('2026-12-01T10:03:00Z');
  const exited = {
    status: 'exited',
    uptime: '0s',
    state: { status: 'exited', startedAt: null, exitedAt: '2026-12-01T10:00:00Z', exitCode: 1 },
  } as const;
  t.is(stateText(exited, now), 'exited 3 min ago (exit 1)');
  const running = {
    status: 'running',
    uptime: '2h3m',
    state: { status: 'running', startedAt: null, exitedAt: null, exitCode: null },
  } as const;
  t.is(stateText(running, now), 'up 2h3m');
  t.is(stateText({ ...running, status: 'created', state: { ...running.state, status: 'created' } }, now), 'created');
});

test('memory in MiB with its limit, or "no limit"; CPU of a core with the limit in cores', (t) => {
  const MiB = 1024 * 1024;
  t.is(memoryText({ usageBytes: 120 * MiB, limitBytes: 512 * MiB, hostBytes: 8192 * MiB }), '120 MiB of 512 MiB');
  t.is(memoryText({ usageBytes: 120 * MiB, limitBytes: null, hostBytes: 8192 * MiB }), '120 MiB · no limit');
  t.is(memoryShare({ usageBytes: 256 * MiB, limitBytes: 512 * MiB, hostBytes: 8192 * MiB }), 50);
  t.is(cpuText({ cores: 0.125, limitCores: null }), '12.5 % of a core');
  t.is(cpuText({ cores: 0.5, limitCores: 0.5 }), '50 % of a core · limit 0.5 cores');
  t.is(ago(40_000), '40 s');
  t.is(ago(2 * 3600_000 + 5), '2 h');
});

test('a container vigil meets for the first time "appeared", never "null → created"', (t) => {
  t.is(feedText({ ...about, type: 'container.state', data: { from: null, to: 'created' } }), 'appeared: created');
  t.is(
    feedText({ ...about, type: 'container.health', data: { from: null, to: 'none', source: 'state' } }),
    'health none',
  );
  t.is(
    feedText({ ...about, type: 'container.health', data: { from: 'none', to: 'healthy', source: 'healthcheck' } }),
    'health none → healthy',
  );
});

test('half a MiB reads "0.4 MiB", not "0 MiB"; a container first met as removed is "removed"', (t) => {
  t.is(memoryText({ usageBytes: 0.44 * 1024 * 1024, limitBytes: null, hostBytes: 1 }), '0.4 MiB · no limit');
  t.is(feedText({ ...about, type: 'container.state', data: { from: null, to: 'removed' } }), 'removed');
});
