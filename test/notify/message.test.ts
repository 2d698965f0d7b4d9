import test from 'ava';
import { groupNotifications, notificationFor, wants, type Notification } from '../../src/notify/message.js';
import { readyRows } from '../../src/notify/dispatcher.js';
import { signBody, verifySignature } from '../../src/notify/channels/webhook.js';
import { slackPayload } from '../../src/notify/channels/slack.js';
import { mailOf } from '../../src/notify/channels/email.js';
import type { VigilEvent, VigilEventType } from '../../src/streams/events.js';
import type { ChainStep } from '../../src/recovery/dependants/dependant-step.js';
import { someDelivered, type SomeData } from '../helpers/events.js';
import type { OutboxRow } from '../../src/store/outbox.js';
import { createHmac } from 'node:crypto';

const c = { id: 'abc123def456', name: 'agent-1' };
const ev = <T extends VigilEventType>(type: T, data: SomeData<T>, container = c): VigilEvent =>
  someDelivered(type, data, { id: 7, time: '2026-11-22T07:00:00.000Z', container });

test('unhealthy, crash, OOM, recovered, gave up and boot recovery each make a notification naming the container', (t) => {
  const cases: [VigilEvent, string, string][] = [
    [
      ev('container.health', {
        from: 'healthy',
        to: 'unhealthy',
        source: 'healthcheck',
        failingStreak: 3,
        lastOutput: 'timeout',
      }),
      'unhealthy',
      'warning',
    ],
    [ev('container.state', { from: 'running', to: 'exited', exitCode: 2, oomKilled: false }), 'crash', 'critical'],
    [ev('container.state', { from: 'running', to: 'exited', exitCode: 137, oomKilled: true }), 'oom', 'critical'],
    [
      ev('recovery.action', { action: 'restart', reason: 'unhealthy', outcome: 'success', attempt: 1 }),
      'recovered',
      'info',
    ],
    [ev('recovery.gave_up', { reason: 'crashed', attempts: 5 }), 'gave_up', 'critical'],
  ];
  for (const [event, kind, severity] of cases) {
    const n = notificationFor(event)!;
    t.is<string, string>(n.event, kind);
    t.is<string, string>(n.severity, severity);
    t.true(n.title.includes('agent-1') && n.text.includes('agent-1'), kind);
  }
  t.regex(notificationFor(cases[0]![0])!.text, /3 failed checks.*timeout/);
  t.regex(notificationFor(cases[3]![0])!.text, /restart .*because: unhealthy/);
  const boot = notificationFor(
    someDelivered(
      'recovery.boot',
      { trigger: 'engine-restart', recovered: ['a', 'b'], failed: [{ name: 'c', reason: 'no image' }] },
      { id: 9, time: 'x' },
    ),
  )!;
  t.is(boot.event, 'boot_recovery');
  t.regex(boot.text, /started a[\s\S]*started b[\s\S]*could not start c: no image/);
});

test('a stop, a finished job, a failed recovery or a healthy turn is not news', (t) => {
  t.is(notificationFor(ev('container.state', { from: 'running', to: 'exited', exitCode: 143 })), null);
  t.is(notificationFor(ev('container.state', { from: 'running', to: 'exited', exitCode: 0 })), null);
  t.is(notificationFor(ev('recovery.action', { action: 'start', outcome: 'failure' })), null);
  t.is(notificationFor(ev('container.health', { from: 'starting', to: 'healthy' })), null);
  t.is(
    notificationFor(ev('container.health', { from: 'healthy', to: 'unhealthy', source: 'state' })),
    null,
    'a crash, told as a crash',
  );
});

test('links to Grafana and Alertmanager appear when their URLs are set', (t) => {
  const n = notificationFor(ev('recovery.gave_up', { reason: 'r', attempts: 1 }), {
    grafanaUrl: 'http://127.0.0.1:3000',
    alertmanagerUrl: 'http://127.0.0.1:9093',
  })!;
  t.deepEqual(
    n.links.map((l) => l.label),
    ['Grafana', 'Alertmanager'],
  );
  t.regex(n.links[0]!.url, /var-container=agent-1/);
});

const n = (key: string, severity: Notification['severity'] = 'info', name = key): Notification => ({
  key,
  event: 'crash',
  severity,
  title: `${name} crashed`,
  text: `text ${name}`,
  container: { id: name, name },
  links: [],
  at: 'x',
});

test('a channel gets the events it asked for at or above its minimum severity', (t) => {
  t.true(wants({ minSeverity: 'info' }, n('a')));
  t.false(wants({ minSeverity: 'warning' }, n('a', 'info')));
  t.true(wants({ minSeverity: 'warning', events: ['crash'] }, n('a', 'critical')));
  t.false(wants({ minSeverity: 'info', events: ['oom'] }, n('a')));
});

test('a burst becomes one message carrying every item and the worst severity', (t) => {
  const g = groupNotifications([n('a'), n('b', 'critical'), n('c')]);
  t.is(g.severity, 'critical');
  t.regex(g.title, /3 events about 3 containers: a, b, c/);
  for (const name of ['a', 'b', 'c']) t.true(g.text.includes(`${name} crashed`));
  t.is(groupNotifications([n('x')]).key, 'x');
});

const row = (id: number, createdAt: number, attempts = 0): OutboxRow => ({
  id,
  channel: 'c',
  dedupeKey: String(id),
  payload: '{}',
  createdAt,
  nextAt: createdAt,
  attempts,
  status: 'pending',
  lastError: null,
});

test('after a quiet spell a message goes at once; right after a send, others wait for the window and go together', (t) => {
  t.deepEqual(
    readyRows([row(1, 1000)], null, 2000, 1000).map((r) => r.id),
    [1],
    'nothing sent yet',
  );
  t.deepEqual(
    readyRows([row(1, 9000)], 1000, 2000, 9000).map((r) => r.id),
    [1],
    'long after the last send',
  );
  t.deepEqual(readyRows([row(2, 1500), row(3, 1600)], 1000, 2000, 2000), []);
  t.deepEqual(
    readyRows([row(2, 1500), row(3, 1600)], 1000, 2000, 3000).map((r) => r.id),
    [2, 3],
  );
  t.deepEqual(
    readyRows([row(4, 1500, 2)], 1000, 2000, 1600).map((r) => r.id),
    [4],
    'a retry does not wait for grouping',
  );
});

test('the webhook signature is HMAC-SHA256 of the body, hex', (t) => {
  t.is(
    signBody('{"a":1}', 'sekret-sekret', 1_700_000_000.7),
    `t=1700000000,v1=${createHmac('sha256', 'sekret-sekret').update('1700000000.{"a":1}').digest('hex')}`,
  );
  const header = signBody('{"a":1}', 'sekret-sekret', 1_700_000_000);
  t.true(verifySignature(header, '{"a":1}', 'sekret-sekret', 1_700_000_100), 'fresh and matching');
  t.false(verifySignature(header, '{"a":1}', 'sekret-sekret', 1_700_000_000 + 3600), 'replayed an hour later');
  t.false(verifySignature(header, '{"a":2}', 'sekret-sekret', 1_700_000_000), 'another body');
  t.false(
    verifySignature(header.replace('t=1700000000', 't=1700003600'), '{"a":1}', 'sekret-sekret', 1_700_003_600),
    'a moved timestamp',
  );
});

test('the chat message has a text fallback and blocks', (t) => {
  const p = slackPayload({ ...n('a', 'critical'), links: [{ label: 'Grafana', url: 'http://g' }] });
  t.regex(p.text, /a crashed/);
  t.is(p.blocks.length, 2);
});

test('a chain of dependants is one notification listing each step; a dependency restart alone is not news', (t) => {
  const steps: ChainStep[] = [
    { name: 'sidecar', action: 'restart', outcome: 'success', reason: 'agent-1 came back and sidecar depends on it' },
    { name: 'stopped-one', action: 'none', outcome: 'skipped', reason: 'a person stopped it; it stays stopped' },
  ];
  const n = notificationFor(ev('recovery.dependants', { steps }))!;
  t.like(n, { event: 'dependants', severity: 'info', container: c });
  t.is(n.title, 'agent-1 came back; 1 of 2 dependants brought after it');
  t.regex(n.text, /sidecar: restart success/);
  t.regex(n.text, /stopped-one: left alone \(a person stopped it/);
  const failed = notificationFor(ev('recovery.dependants', { steps: [{ ...steps[0]!, outcome: 'failure' }] }))!;
  t.is(failed.severity, 'critical');
  const oneStep = ev('recovery.action', { action: 'restart', outcome: 'success', trigger: 'dependency', attempt: 0 });
  t.is(notificationFor(oneStep), null, 'told by the chain, not once per dependant');
  const cycle = notificationFor(ev('recovery.cycle', { cycle: ['ping', 'pong', 'ping'] }))!;
  t.regex(cycle.title, /ping → pong → ping/);
});

test('mail about an incident keeps one subject and threads under its first message', (t) => {
  const first = notificationFor({
    ...ev('container.health', { to: 'unhealthy', source: 'healthcheck' }),
    incident: { id: 'a1b2', seq: 1, subject: 'agent-1: unhealthy' },
  })!;
  const later = notificationFor({
    ...ev('recovery.action', { action: 'restart', outcome: 'success', reason: 'r', attempt: 1 }),
    incident: { id: 'a1b2', seq: 2, subject: 'agent-1: unhealthy' },
  })!;
  const a = mailOf(first, 'vigil@example.org');
  const b = mailOf(later, 'vigil@example.org');
  t.is(a.subject, '[vigil] agent-1: unhealthy');
  t.is(b.subject, a.subject);
  t.is(a.messageId, '<incident-a1b2-1@example.org>');
  t.false('inReplyTo' in a);
  t.like(b, { messageId: '<incident-a1b2-2@example.org>', inReplyTo: a.messageId, references: [a.messageId] });
  t.is(groupNotifications([first, later]).incident?.id, 'a1b2', 'a burst of one incident stays in its thread');
  t.is(
    mailOf(notificationFor(ev('recovery.gave_up', { attempts: 3, reason: 'x' }))!, 'v@x').subject.startsWith(
      '[vigil critical]',
    ),
    true,
  );
});

test('counts read as a person says them: 1 container, 2 containers; 1 failed check; 1 attempt', (t) => {
  const one = notificationFor(
    ev('container.health', { from: 'healthy', to: 'unhealthy', source: 'healthcheck', failingStreak: 1 }),
  )!;
  t.regex(one.text, /after 1 failed check[;.]/);
  t.notRegex(one.text, /1 failed checks/);
  t.regex(notificationFor(ev('recovery.gave_up', { attempts: 1, reason: 'x' }))!.text, /^After 1 attempt vigil/);
  const boot = (recovered: string[]) => notificationFor(ev('recovery.boot', { trigger: 'vigil-start', recovered }))!;
  t.is(boot(['a']).title, 'Recovered 1 container after vigil started');
  t.is(boot(['a', 'b']).title, 'Recovered 2 containers after vigil started');
  const closed = notificationFor(
    ev('incident.closed', { id: 'i', outcome: 'recovered', durationSeconds: 9.4, steps: 1 }),
  )!;
  t.regex(closed.text, /after 1 step in 9 s\./);
  const burst = groupNotifications([
    notificationFor(ev('recovery.gave_up', { attempts: 2, reason: 'x' }))!,
    notificationFor(ev('recovery.gave_up', { attempts: 3, reason: 'y' }))!,
  ]);
  t.regex(burst.title, /^2 events about 1 container: agent-1$/);
  t.notRegex(JSON.stringify([one, boot(['a']), closed, burst]), /\(s\)/);
});

test('a recovery is told with its reason and attempt in one sentence', (t) => {
  const n = notificationFor(
    ev('recovery.action', { action: 'restart', outcome: 'success', reason: 'crashed (exit code 1)', attempt: 2 }),
  )!;
  t.is(n.text, 'vigil ran restart on agent-1 (abc123def456) because: crashed (exit code 1) (attempt 2).');
});

test("a person's stop is not news, whatever its exit code; the crash beside it is", (t) => {
  for (const exitCode of [0, 1, 137, 143])
    t.is(notificationFor(ev('container.state', { from: 'running', to: 'exited', exitCode, cause: 'stopped' })), null);
  const crash = notificationFor(
    ev('container.state', { from: 'running', to: 'exited', exitCode: 137, cause: 'crashed' }),
  );
  t.is(crash?.title, 'agent-1 crashed (exit code 137)');
});

test("a person's action is told as theirs, on its own channel event, never as vigil's recovery", (t) => {
  const person = (action: 'stop' | 'start' | 'restart', by: 'api' | 'page', outcome: 'success' | 'failure') =>
    notificationFor(
      ev('recovery.action', {
        action,
        by,
        outcome,
        counted: false,
        reason: `asked by a person (${by})`,
        ...(outcome === 'failure' ? { error: 'no such container' } : {}),
      }),
    )!;
  const restart = person('restart', 'page', 'success');
  t.like(restart, { event: 'action', severity: 'info', title: 'agent-1 restarted by a person (page)' });
  t.is(restart.text, "A person restarted agent-1 (abc123def456) through vigil's page.");
  const stop = person('stop', 'api', 'success');
  t.is(stop.title, 'agent-1 stopped by a person (API)');
  t.regex(stop.text, /through vigil's API\. vigil leaves it stopped until a person starts it\.$/);
  const failed = person('start', 'page', 'failure');
  t.like(failed, { event: 'action', severity: 'warning', title: "agent-1: a person's start failed (page)" });
  t.regex(failed.text, /the engine refused: no such container\.$/);
  for (const n of [restart, stop, failed]) {
    t.notRegex(n.title + n.text, /recovered|attempt|undefined/);
    t.false(
      wants({ minSeverity: 'info', events: ['recovered'] }, n),
      'not on a channel that asked for recoveries only',
    );
  }
});

test("a crash and an OOM kill with no exit code known say so, not 'exit code undefined'", (t) => {
  const crash = notificationFor(ev('container.state', { from: 'running', to: 'dead', cause: 'crashed' }))!;
  t.is(crash.title, 'agent-1 crashed');
  t.regex(crash.text, /died with no exit code known\./);
  const oom = notificationFor(
    ev('container.state', { from: 'running', to: 'exited', exitCode: null, oomKilled: true }),
  )!;
  t.is(oom.text, 'The kernel killed container agent-1 (abc123def456) for running out of memory.');
});

test("a crash's message is keyed by the engine's exit, so the engine's replay of it to a restarted vigil is deduplicated", (t) => {
  const exit = { from: 'running', to: 'exited', exitCode: 7, exitedAt: '2026-11-22T06:59:58.123Z' } as const;
  const live = someDelivered('container.state', exit, { id: 7, time: '2026-11-22T07:00:00.000Z', container: c });
  const replayed = someDelivered('container.state', exit, { id: 3, time: '2026-11-22T07:00:09.000Z', container: c });
  const later = someDelivered(
    'container.state',
    { ...exit, exitedAt: '2026-11-22T07:05:00.000Z' },
    { id: 8, time: '2026-11-22T07:05:01.000Z', container: c },
  );
  t.is(notificationFor(live)!.key, notificationFor(replayed)!.key);
  t.not(notificationFor(later)!.key, notificationFor(live)!.key, 'another crash of the same container is news');
});
