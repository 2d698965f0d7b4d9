import test from 'ava';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { waitFor } from './helpers/engine.js';
import { freePort } from './helpers/net.js';
import { secretArb } from './helpers/secrets.js';
import { spawnVigil } from './helpers/vigil-process.js';
import { tempDir } from './helpers/temp-dir.js';

// A real start of vigil (src/main.ts, its own logger on standard output) with a configuration full of
// generated secrets in every place a URL or a setting can hold one; every channel tested, so that
// deliveries fail against a far side that echoes what it was sent. No secret may reach a log line or
// an API answer. No engine: what vigil logs about its absence is logged through the same redaction.

/** Answers 500 with everything it was sent: the path, the query and the headers. */
async function echoServer(): Promise<{ server: Server; port: number; received: string[] }> {
  const port = await freePort();
  const received: string[] = [];
  const server = createServer((req, res) => {
    const said = `${req.method} ${req.url} ${JSON.stringify(req.headers)}`;
    received.push(said);
    res.writeHead(500, { 'content-type': 'text/plain' }).end(`refused: ${said} http://127.0.0.1:${port}${req.url}`);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return { server, port, received };
}

/** An Alertmanager webhook with one firing alert, news for every channel. */
const firingAlert = {
  ...{ version: '4', groupKey: '{}:{alertname="DiskFilling"}', truncatedAlerts: 0, status: 'firing' },
  ...{ receiver: 'vigil', groupLabels: {}, commonLabels: {}, commonAnnotations: {} },
  externalURL: 'http://127.0.0.1:9093',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'DiskFilling', severity: 'critical' },
      annotations: { summary: 'the disk is filling' },
      ...{ startsAt: '2026-11-22T07:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '' },
      fingerprint: 'b1b1b1b1b1b1',
    },
  ],
};

test('property: no secret of the configuration reaches a log line of a real start or an API answer', async (t) => {
  const echo = await echoServer();
  t.teardown(() => echo.server.close());
  const closed = await freePort();
  await fc.assert(
    fc.asyncProperty(fc.array(secretArb, { minLength: 19, maxLength: 19 }), async (s) => {
      const mattermostId = s[2]!.toLowerCase().replace(/[^a-z0-9]/g, '');
      const channels = [
        {
          name: 'hook',
          type: 'webhook',
          url: `http://vigil:${s[0]}@127.0.0.1:${echo.port}/hooks/${mattermostId}?token=${s[1]}`,
          secret: s[3],
          headers: { Authorization: `Bearer ${s[4]}` },
        },
        { name: 'tokenpath', type: 'webhook', url: `http://127.0.0.1:${echo.port}/api/${s[5]}/notify#k=${s[6]}` },
        { name: 'slack', type: 'slack', url: `https://hooks.slack.com/services/T0AAAA/B0BBBB/${s[7]}` },
        {
          name: 'slackapi',
          type: 'slack',
          token: s[8],
          channel: '#ops',
          apiUrl: `http://127.0.0.1:${echo.port}/api?x=${s[9]}`,
        },
        {
          name: 'mail',
          type: 'email',
          smtp: { host: '127.0.0.1', port: closed, user: 'vigil', pass: s[10] },
          from: 'vigil@example.org',
          to: ['ops@example.org'],
        },
      ];
      const dir = tempDir(t, 'secrets');
      writeFileSync(join(dir, 'vigil.json'), JSON.stringify({ channels }));
      const token = s[11]!;
      const env = {
        VIGIL_CONFIG: join(dir, 'vigil.json'),
        VIGIL_DATA_DIR: join(dir, 'data'),
        DOCKER_HOST: 'unix:///nonexistent/docker.sock',
        VIGIL_API_TOKEN: token,
        VIGIL_NATS_URL: `nats://vigil:${s[12]}@127.0.0.1:${closed}`,
        VIGIL_ALERTMANAGER_URL: `http://am:${s[13]}@127.0.0.1:${closed}/?t=${s[14]}`,
        VIGIL_GRAFANA_URL: `https://grafana.example.org/d/vigil?auth=${s[15]}`,
        VIGIL_NOTIFY_GROUP_SECONDS: '0',
      };
      const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      // a channel added on the page is no secret of the configuration the logger started with: its
      // secrets are censored from the moment it is added, and again after a restart reads it back
      const added = {
        name: 'added',
        type: 'webhook',
        url: `http://127.0.0.1:${echo.port}/added/${s[16]}`,
        secret: s[17],
        headers: { 'x-key': s[18] },
      };
      const answers: string[] = [];
      const ask = async (url: string, path: string, method = 'GET', body?: unknown) => {
        const res = await fetch(`${url}${path}`, {
          method,
          headers: auth,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        answers.push(await res.text());
        return res.status;
      };
      const vigil = await spawnVigil(env);
      let again: Awaited<ReturnType<typeof spawnVigil>> | undefined;
      try {
        for (const c of channels) await ask(vigil.url, `/api/v1/channels/${c.name}/test`, 'POST');
        for (const path of ['/api/v1/channels', '/api/v1/system', '/health/ready', '/api/v1/containers/health'])
          await ask(vigil.url, path);
        t.is(await ask(vigil.url, '/api/v1/settings/channels', 'POST', added), 201);
        await ask(vigil.url, '/api/v1/channels/added/test', 'POST');
        await ask(vigil.url, '/api/v1/settings');
        // news, not a test: its failed delivery is logged with what the far side answered
        t.is(await ask(vigil.url, '/api/v1/alertmanager', 'POST', firingAlert), 200);
        await waitFor(
          () => vigil.logs.some((l) => l.msg.startsWith('notification delivery failed') && l.channel === 'added'),
          { what: "the added channel's failed delivery logged", timeoutMs: 20_000 },
        );
        await vigil.stop();
        again = await spawnVigil(env);
        await ask(again.url, '/api/v1/channels/added/test', 'POST');
        await ask(again.url, '/api/v1/settings');
      } finally {
        await vigil.stop();
        await again?.stop();
      }
      t.true(
        [s[16]!, s[18]!].every((secret) => echo.received.some((r) => r.includes(secret))),
        'the channel added was delivered to, with its URL and header (its signing secret only signs)',
      );
      const output = vigil.output() + again.output();
      t.true(
        vigil.logs.some((l) => l.msg === 'configuration'),
        'the configuration line was written',
      );
      t.true(
        [s[1]!, s[5]!, s[8]!].every((secret) => echo.received.some((r) => r.includes(secret))),
        'the far side got the secrets: the channels were in play',
      );
      t.true(
        answers.some((a) => a.includes('refused')),
        'the echoed failure reached the API',
      );
      // a secret cut short is a leak too: no 12 characters of one may show
      const pieces = [...s, mattermostId].flatMap((secret) =>
        Array.from({ length: Math.max(0, secret.length - 11) }, (_, i) => secret.slice(i, i + 12)),
      );
      const shown = [output, ...answers];
      const leaks = pieces.filter((piece) => shown.some((text) => text.includes(piece)));
      if (leaks.length > 0) {
        const where = shown.flatMap((text) => text.split('\n')).filter((l) => leaks.some((x) => l.includes(x)));
        throw new Error(`leaked ${leaks.slice(0, 3).join(', ')}:\n${where.join('\n')}`);
      }
      return true;
    }),
    { numRuns: 2, endOnFailure: true },
  );
});
