import test from 'ava';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifySignature } from '../../src/notify/channels/webhook.js';
import { execEndingTheRun, runContainer as runOn, uniqueName, waitFor } from '../helpers/engine.js';
import { freePort } from '../helpers/net.js';
import { PrivateEngine } from '../helpers/private-engine.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { metricValue, scrape, startVigil, type RunningVigil } from '../helpers/vigil.js';
import { fileTempDirs } from '../helpers/temp-dir.js';

// the file's temp dirs, removed after its last test
const temp = fileTempDirs(test);

// every message here is about this file's containers, and only this vigil acts on them: on the suite's
// shared engine other files' vigils restarted the labelled container as well, and other files'
// containers' news was grouped into these messages (another subject, no thread)
const engine = new PrivateEngine();
const runContainer = (n: string, options: string[], command: string[]) => runOn(n, options, command, engine.host);
const secret = 'webhook-secret-123';
let smtp: TestSmtpServer;
let receiver: Server;
const hooks: { headers: IncomingMessage['headers']; body: string; path: string }[] = [];
let vigil: RunningVigil;

test.before(async () => {
  await engine.up();
  smtp = new TestSmtpServer(await freePort());
  await smtp.start();
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hooks.push({ headers: req.headers, body, path: req.url ?? '' });
      // Slack's Web API answers 200 with the new message's ts, which replies thread on
      if (req.url === '/api/chat.postMessage') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, ts: `1700000000.${String(hooks.length).padStart(6, '0')}` }));
      } else res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const hookPort = (receiver.address() as { port: number }).port;
  const dir = temp('conf');
  const file = join(dir, 'vigil.yaml');
  writeFileSync(
    file,
    JSON.stringify({
      channels: [
        {
          name: 'oncall-email',
          type: 'email',
          smtp: {
            host: '127.0.0.1',
            port: smtp.port,
            requireTLS: true,
            allowSelfSigned: true,
            user: smtp.user,
            pass: smtp.pass,
          },
          from: 'vigil@example.org',
          to: ['oncall@example.org'],
        },
        { name: 'ops-hook', type: 'webhook', url: `http://127.0.0.1:${hookPort}/hook`, secret, minSeverity: 'warning' },
        { name: 'ops-chat', type: 'slack', url: `http://127.0.0.1:${hookPort}/chat`, events: ['crash', 'recovered'] },
        {
          ...{ name: 'ops-slack', type: 'slack', token: 'xoxb-integration', channel: 'C0OPS' },
          ...{ apiUrl: `http://127.0.0.1:${hookPort}/api`, events: ['crash', 'recovered'] },
        },
      ],
    }),
  );
  vigil = await startVigil({
    DOCKER_HOST: engine.host,
    VIGIL_CONFIG: file,
    VIGIL_AUTOHEAL: 'labelled',
    VIGIL_BOOT_GRACE_SECONDS: '0',
    VIGIL_NOTIFY_RETRY_SECONDS: '1',
    VIGIL_NOTIFY_RETRY_MAX_SECONDS: '3',
    VIGIL_NOTIFY_GROUP_SECONDS: '0.5',
  });
  await waitFor(() => vigil.vigil.inventory.synced, { what: 'the first sync' });
});

test.after.always(async () => {
  await vigil?.stop();
  await smtp?.stop();
  receiver?.close();
  await engine.destroy();
});

const mailsAbout = (name: string) => smtp.mails.filter((m) => m.raw.includes(name));

/**
 * A crash is news only about a container vigil saw running: the container waits for /tmp/crash, and
 * gets it once vigil lists it running (one that lived half a second could be inspected only after its
 * exit on a loaded machine, and made no notification at all).
 */
async function crashOnceSeenRunning(n: string) {
  await waitFor(() => vigil.vigil.inventory.all().some((e) => e.record.name === n && e.record.state === 'running'), {
    what: `vigil to see ${n} running`,
    timeoutMs: 30_000,
  });
  await execEndingTheRun(n, ['touch', '/tmp/crash'], engine.host);
}
const untilCrash = 'until [ -e /tmp/crash ]; do sleep 0.05; done';

test.serial(
  'a crash sends an email naming the container, over STARTTLS with auth, and the recovery another',
  async (t) => {
    const n = uniqueName('mail');
    await runContainer(
      n,
      ['--label', 'vigil.autoheal=true', '--restart', 'no'],
      ['sh', '-c', `[ -f /tmp/again ] && exec sleep 100000; touch /tmp/again; ${untilCrash}; exit 3`],
    );
    await crashOnceSeenRunning(n);
    const crash = await waitFor(() => mailsAbout(n).find((m) => /crashed \(exit code 3\)/.test(m.raw)), {
      what: 'the crash email',
      timeoutMs: 15_000,
    });
    t.true(crash.secure, 'STARTTLS was used');
    t.is(crash.user, 'vigil');
    t.deepEqual(crash.to, ['oncall@example.org']);
    // one outage, one thread: the subject is the incident's, the severity a header
    t.is(crash.subject, `[vigil] ${n}: crashed (exit code 3)`);
    t.regex(crash.raw, /^X-Vigil-Severity: critical/m);
    const recovered = await waitFor(() => mailsAbout(n).find((m) => /recovered \(start\)/.test(m.raw)), {
      what: 'the recovery email',
      timeoutMs: 15_000,
    });
    t.regex(recovered.raw, /crashed with exit code 3/);
    t.is(recovered.subject, crash.subject);

    // the webhook got it signed; the chat channel got its own format
    const hook = await waitFor(() => hooks.find((h) => h.path === '/hook' && h.body.includes(n)), {
      what: 'the webhook',
    });
    t.true(
      verifySignature(String(hook.headers['x-vigil-signature']), hook.body, secret, Date.now() / 1000),
      'signed with a fresh timestamp',
    );
    t.regex(String(hook.headers['x-vigil-signature']), /^t=\d+,v1=[0-9a-f]{64}$/);
    t.is((JSON.parse(hook.body) as { source: string }).source, 'vigil');
    const chat = await waitFor(() => hooks.find((h) => h.path === '/chat' && h.body.includes(n)), {
      what: 'the chat message',
    });
    t.truthy((JSON.parse(chat.body) as { text: string; blocks: unknown[] }).blocks);
    // through Slack's Web API the recovery is a reply in the crash's thread
    const slack = await waitFor(
      () => {
        const posts = hooks.filter((h) => h.path === '/api/chat.postMessage' && h.body.includes(n));
        return posts.length >= 2 ? posts : undefined;
      },
      { what: 'the crash and the recovery through the Web API' },
    );
    const [root, reply] = slack.map((h) => JSON.parse(h.body) as { thread_ts?: string; text: string });
    t.is(root!.thread_ts, undefined);
    t.is(reply!.thread_ts, `1700000000.${String(hooks.indexOf(slack[0]!) + 1).padStart(6, '0')}`);
    t.is(slack[0]!.headers.authorization, 'Bearer xoxb-integration');
  },
);

test.serial(
  "SMTP down for 30 s: the email arrives after it returns, and the channel's health says what happened",
  async (t) => {
    await smtp.stop();
    const n = uniqueName('outage');
    await runContainer(n, [], ['sh', '-c', `${untilCrash}; exit 5`]);
    await crashOnceSeenRunning(n);
    await waitFor(
      async () =>
        (
          (await (await vigil.get('/api/v1/channels')).json()) as {
            channels: { name: string; lastError: string | null }[];
          }
        ).channels.find((c) => c.name === 'oncall-email')?.lastError,
      { what: 'a failed attempt', timeoutMs: 15_000 },
    );
    const down = (
      (await (await vigil.get('/api/v1/channels')).json()) as {
        channels: { name: string; pending: number; errorRate: number }[];
      }
    ).channels.find((c) => c.name === 'oncall-email')!;
    t.true(down.pending >= 1);
    t.true(down.errorRate > 0);
    const test502 = await vigil.get('/api/v1/channels/oncall-email/test', { method: 'POST' });
    t.is(test502.status, 502);
    t.truthy(((await test502.json()) as { error: string }).error);
    await new Promise((r) => setTimeout(r, 30_000));
    t.deepEqual(mailsAbout(n), []);
    await smtp.start();
    const mail = await waitFor(() => mailsAbout(n)[0], { what: 'the email after the outage', timeoutMs: 15_000 });
    t.regex(mail.raw, /crashed \(exit code 5\)/);
    await new Promise((r) => setTimeout(r, 1500));
    t.is(mailsAbout(n).length, 1, 'sent once');
    const text = await scrape(vigil);
    t.true((metricValue(text, 'vigil_notifications_total', { channel: 'oncall-email', outcome: 'failed' }) ?? 0) >= 1);
    t.true((metricValue(text, 'vigil_notifications_total', { channel: 'oncall-email', outcome: 'sent' }) ?? 0) >= 1);
    // the outbox drains: nothing else was waiting behind it
    await waitFor(
      async () => metricValue(await scrape(vigil), 'vigil_outbox_depth', { channel: 'oncall-email' }) === 0,
      {
        what: 'the outbox to drain once SMTP is back',
        timeoutMs: 20_000,
      },
    );
  },
);

test.serial('a test message reports the outcome; an unknown channel is 404', async (t) => {
  const ok = await vigil.get('/api/v1/channels/oncall-email/test', { method: 'POST' });
  t.is(ok.status, 200);
  t.like(await ok.json(), { channel: 'oncall-email', ok: true });
  await waitFor(() => smtp.mails.some((m) => /Test message from vigil to oncall-email/.test(m.subject)), {
    what: 'the test email',
  });
  t.is((await vigil.get('/api/v1/channels/nope/test', { method: 'POST' })).status, 404);
  const channels = (
    (await (await vigil.get('/api/v1/channels')).json()) as {
      channels: { name: string; lastSuccessAt: string | null; latencyMs: number }[];
    }
  ).channels;
  t.deepEqual(
    channels.map((c) => c.name),
    ['oncall-email', 'ops-hook', 'ops-chat', 'ops-slack'],
  );
  t.truthy(channels[0]!.lastSuccessAt);
});
