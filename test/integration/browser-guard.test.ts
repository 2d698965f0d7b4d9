import test from 'ava';
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { TestAlertmanager } from '../helpers/alertmanager.js';
import { uniqueName, waitFor } from '../helpers/engine.js';
import { freePort } from '../helpers/net.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { startVigil, type RunningVigil } from '../helpers/vigil.js';
import { fileTempDirs } from '../helpers/temp-dir.js';

// the file's temp dirs, removed after its last test
const temp = fileTempDirs(test);

// What a web page in the operator's browser can make the browser send to a vigil without a token (the
// documented default, on loopback): simple cross-site requests, and DNS rebinding (a foreign Host).

let vigil: RunningVigil;
let am: TestAlertmanager;
let smtp: TestSmtpServer;
let alertId: string;
const container = uniqueName('guarded');

test.before(async () => {
  smtp = new TestSmtpServer(await freePort());
  await smtp.start();
  const file = join(temp('conf'), 'vigil.json');
  writeFileSync(file, JSON.stringify({ channels: [smtp.channel()] }));
  const amPort = await freePort();
  vigil = await startVigil({
    VIGIL_CONFIG: file,
    VIGIL_ALERTMANAGER_URL: `http://127.0.0.1:${amPort}`,
    VIGIL_NOTIFY_GROUP_SECONDS: '0',
    VIGIL_AUTOHEAL: 'off',
  });
  // Alertmanager posts its webhook as application/json: it must still get through
  am = new TestAlertmanager(amPort, `${vigil.url}/api/v1/alertmanager`, 'unused-without-a-webhook-token');
  await am.start();
  await am.post({ alertname: 'ContainerMemoryHigh', container, severity: 'warning' }, { summary: 'memory' });
  alertId = await waitFor(
    async () => {
      const body = (await (await vigil.get('/api/v1/alerts')).json()) as {
        alerts: { id: string; container: string }[];
      };
      return body.alerts.find((a) => a.container === container)?.id;
    },
    { what: 'the alert from Alertmanager in vigil', timeoutMs: 30_000 },
  );
});

test.after.always(async () => {
  await am?.stop();
  await vigil?.stop();
  await smtp?.stop();
});

interface Answer {
  status: number;
  body: string;
}

/** A request with exactly these headers (fetch will not send a Host of our choosing). */
function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const url = new URL(vigil.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: { ...headers, 'content-length': body?.length ?? 0 },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const own = () => new URL(vigil.url).host;
const testMails = () => smtp.mails.filter((m) => /Test message from vigil/.test(m.subject)).length;
const mailPath = '/api/v1/channels/mail/test';
const ackPath = () => `/api/v1/alerts/${alertId}/acknowledge`;
const ackBody = JSON.stringify({ by: 'a web page', durationMinutes: 60 });

test.serial('a page of another site can neither send a channel test nor acknowledge an alert', async (t) => {
  const attempts: [string, string, Record<string, string>, string | undefined, number, RegExp][] = [
    [
      'test, text/plain from another Origin',
      mailPath,
      { origin: 'http://evil.example', 'content-type': 'text/plain' },
      '{}',
      403,
      /another site.*evil\.example/,
    ],
    [
      'test, a form from another Origin',
      mailPath,
      { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      'a=1',
      403,
      /Origin/,
    ],
    ['test, no body, from another Origin', mailPath, { origin: 'http://evil.example' }, undefined, 403, /Origin/],
    [
      'test, Origin null (sandboxed frame)',
      mailPath,
      { origin: 'null', 'content-type': 'text/plain' },
      '{}',
      403,
      /Origin null/,
    ],
    [
      'test, no Origin, Sec-Fetch-Site cross-site',
      mailPath,
      { 'sec-fetch-site': 'cross-site' },
      undefined,
      403,
      /Sec-Fetch-Site: cross-site/,
    ],
    [
      'test, no Origin, Sec-Fetch-Site same-site',
      mailPath,
      { 'sec-fetch-site': 'same-site', 'content-type': 'text/plain' },
      '{}',
      403,
      /same-site/,
    ],
    [
      'test, its own Origin but text/plain',
      mailPath,
      { origin: `http://${own()}`, 'content-type': 'text/plain' },
      '{}',
      415,
      /application\/json.*text\/plain/,
    ],
    [
      'acknowledge, text/plain from another Origin',
      ackPath(),
      { origin: 'http://evil.example', 'content-type': 'text/plain' },
      ackBody,
      403,
      /Origin/,
    ],
    [
      'acknowledge, JSON from another Origin',
      ackPath(),
      { origin: 'https://evil.example', 'content-type': 'application/json' },
      ackBody,
      403,
      /Origin/,
    ],
    [
      'acknowledge, no Origin, text/plain',
      ackPath(),
      { 'content-type': 'text/plain' },
      ackBody,
      415,
      /application\/json/,
    ],
    [
      'acknowledge, Sec-Fetch-Site cross-site',
      ackPath(),
      { 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' },
      ackBody,
      403,
      /cross-site/,
    ],
    [
      'acknowledge under a rebound name',
      ackPath(),
      { host: 'evil.example:80', 'content-type': 'application/json' },
      ackBody,
      421,
      /evil\.example.*VIGIL_ALLOWED_HOSTS/,
    ],
    [
      'test under a rebound name',
      mailPath,
      { host: 'evil.example', origin: 'http://evil.example' },
      undefined,
      421,
      /evil\.example/,
    ],
  ];
  for (const [what, path, headers, body, status, message] of attempts) {
    const answer = await send('POST', path, headers, body);
    t.is(answer.status, status, what);
    t.regex((JSON.parse(answer.body) as { error: { message: string } }).error.message, message, what);
  }
  t.is(testMails(), 0, 'no test mail was sent');
  t.deepEqual(
    (await am.silences()).filter((s) => s.status.state === 'active'),
    [],
    'no silence was created',
  );
  const alerts = (await (await vigil.get('/api/v1/alerts')).json()) as {
    alerts: { id: string; acknowledged: boolean }[];
  };
  t.false(alerts.alerts.find((a) => a.id === alertId)!.acknowledged, 'the alert is not acknowledged');

  // the same changes from vigil's own page (its Origin, JSON) and from a script (neither) do work
  const fromPage = await send('POST', mailPath, { origin: `http://${own()}`, 'sec-fetch-site': 'same-origin' });
  t.is(fromPage.status, 200, fromPage.body);
  await waitFor(() => testMails() === 1, { what: 'the test mail of the page' });
  const fromScript = await send('POST', ackPath(), { 'content-type': 'application/json' }, ackBody);
  t.is(fromScript.status, 200, fromScript.body);
  await waitFor(async () => (await am.silences()).some((s) => s.status.state === 'active'), { what: 'the silence' });
});

test.serial('DNS rebinding: a foreign Host reads nothing, by address everything still answers', async (t) => {
  for (const path of ['/api/v1/containers/health', '/api/v1/alerts', '/metrics', '/health/ready', '/']) {
    const rebound = await send('GET', path, { host: `attacker.example:${new URL(vigil.url).port}` });
    t.is(rebound.status, 421, path);
    t.regex(rebound.body, /attacker\.example/);
    t.notRegex(rebound.body, /containers|vigil_/, `${path} leaks nothing`);
  }
  // Prometheus by address, a browser on localhost, the machine's own name
  for (const host of ['10.20.30.40:9323', `localhost:${new URL(vigil.url).port}`, '[::1]:9323']) {
    for (const path of ['/metrics', '/health/live', '/api/v1/containers/health']) {
      t.is((await send('GET', path, { host })).status, 200, `${host}${path}`);
    }
  }
});

/** The status with which vigil answers a WebSocket upgrade with these headers (101 when it takes it). */
function upgrade(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${vigil.url.replace(/^http/, 'ws')}/api/v1/ws`, { headers });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('error', reject);
  });
}

test.serial('the live WebSocket: not from a page of another site, not under a rebound name', async (t) => {
  t.is(await upgrade({ origin: 'http://evil.example' }), 403);
  t.is(await upgrade({ host: 'evil.example' }), 421);
  t.is(await upgrade({ host: 'evil.example', origin: 'http://evil.example' }), 421);
  t.is(await upgrade({ origin: `http://${own()}` }), 101, 'its own page');
  t.is(await upgrade({}), 101, 'not a browser');
});

test.serial('with a token, signing out revokes the cookie: a copy of it is refused afterwards', async (t) => {
  const token = 'a-token-for-the-session-test';
  const v = await startVigil({ VIGIL_API_TOKEN: token });
  t.teardown(() => v.stop());
  const signIn = await v.get('/api/v1/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  t.is(signIn.status, 200);
  const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
  const { csrf } = (await signIn.json()) as { csrf: string };
  t.is((await v.get('/api/v1/containers/health', { headers: { cookie } })).status, 200);
  const out = await v.get('/api/v1/session', { method: 'DELETE', headers: { cookie, 'x-vigil-csrf': csrf } });
  t.is(out.status, 204);
  t.is((await v.get('/api/v1/containers/health', { headers: { cookie } })).status, 401, 'the copy no longer works');
  t.like(await (await v.get('/api/v1/session', { headers: { cookie } })).json(), { signedIn: false });
  // with a token and no VIGIL_ALLOWED_HOSTS, any name is answered: the token guards the API, and
  // Prometheus and Alertmanager on other hosts reach vigil by whatever name DNS gives it
  const named = await fetchWithHost(v, '/metrics', 'vigil.internal.example:9323');
  t.is(named, 200);
});

function fetchWithHost(v: RunningVigil, path: string, host: string): Promise<number> {
  const url = new URL(v.url);
  return new Promise((resolve, reject) => {
    request({ host: url.hostname, port: url.port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}
