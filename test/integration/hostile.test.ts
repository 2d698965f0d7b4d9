import test from 'ava';
import { readiness } from '../helpers/vigil.js';
import fc from 'fast-check';
import { alertFlood, apiRequestArb, mayActOn, webhookBodyArb } from '../helpers/fuzz.js';
import { connect } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { docker as dockerOn, runContainer as runOn, waitFor } from '../helpers/engine.js';
import { PrivateEngine } from '../helpers/private-engine.js';
import { countLogEvents, openIdleEventStreams } from '../helpers/sse.js';
import { spawnVigil, type VigilProcess } from '../helpers/vigil-process.js';
import { fileTempDirs, tempDir } from '../helpers/temp-dir.js';

// the file's temp dirs, removed after its last test
const temp = fileTempDirs(test);

// vigil is fuzzed here and may act: its engine is its own, and vigil is a process of its own so that
// its memory and its log lines are measured alone
const engine = new PrivateEngine();
const docker = (args: string[]) => dockerOn(args, engine.host);
const token = 'hostile-test-token-0123456789';
const auth = { authorization: `Bearer ${token}` };
const instance = 'host-a:9323';

test.before(async () => {
  await engine.up();
  await runOn('web', ['--label', 'vigil.autoheal=true', '--stop-timeout', '1'], ['sleep', '100000'], engine.host);
  await runOn(
    'untouchable',
    ['--label', 'vigil.autoheal=true', '--stop-timeout', '1'],
    ['sleep', '100000'],
    engine.host,
  );
});
test.after.always(() => engine.destroy());

function vigilWith(env: Record<string, string> = {}): Promise<VigilProcess> {
  return spawnVigil({
    DOCKER_HOST: engine.host,
    VIGIL_DATA_DIR: temp('hostile'),
    VIGIL_API_TOKEN: token,
    VIGIL_ALERT_INSTANCE: instance,
    VIGIL_AUTOHEAL: 'labelled',
    VIGIL_BOOT_GRACE_SECONDS: '0',
    ...env,
  });
}

const errorsFrom = (v: VigilProcess) => v.logs.filter((l) => l.level >= 50);

test.serial(
  'client mistakes are 4xx, logged below warn: PROPFIND gives 405 with Allow, since=0.0000001 is accepted, an aborted upload is no error',
  async (t) => {
    const v = await vigilWith();
    t.teardown(() => v.stop());
    await waitFor(async () => (await readiness(v.url)) === 'ok', { what: 'ready' });
    for (const [method, path] of [
      ['PROPFIND', '/api/v1/containers/health'],
      ['MOVE', '/metrics'],
      ['PROPFIND', '/api/v1/alertmanager'],
    ] as const) {
      const res = await fetch(`${v.url}${path}`, { method, headers: auth });
      t.is(res.status, 405, `${method} ${path}`);
      t.regex(res.headers.get('allow') ?? '', /GET|POST/);
      t.regex(
        ((await res.json()) as { error: { message: string } }).error.message,
        new RegExp(`${method} is not allowed`),
      );
    }
    const logs = new AbortController();
    const since = await fetch(`${v.url}/api/v1/containers/web/logs?since=0.0000001&follow=false`, {
      headers: auth,
      signal: logs.signal,
    });
    t.true(since.status === 200 || since.status === 400, `since=0.0000001 → ${since.status}`);
    await since.text();

    // an upload cut off midway: headers promise 100 000 bytes, 10 come, then the socket goes
    await new Promise<void>((resolve) => {
      const socket = connect(Number(new URL(v.url).port), '127.0.0.1', () => {
        socket.write(
          `POST /api/v1/alertmanager HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"version"`,
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 200);
      });
    });
    await new Promise((r) => setTimeout(r, 500));
    t.deepEqual(errorsFrom(v), [], 'nothing a client did is logged as an error');
    t.deepEqual(
      v.logs.filter((l) => l.level >= 40 && /request/.test(l.msg)),
      [],
      'nor as a warning',
    );
    t.true(
      v.logs.some((l) => l.status === 405 && l.level === 30),
      'the 405s are logged at info',
    );
  },
);

test.serial(
  '5 000 generated webhook payloads and 2 000 generated API requests: no 5xx, vigil alive, nothing touched but what a valid firing alert for this host asked',
  async (t) => {
    const v = await vigilWith();
    t.teardown(() => v.stop());
    await waitFor(async () => (await readiness(v.url)) === 'ok', { what: 'ready' });
    const before = await docker(['inspect', '-f', '{{.Id}} {{.State.StartedAt}}', 'untouchable']);
    const statuses = new Map<number, number>();
    const count = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
    let actionable = 0;
    const bodies = fc.sample(webhookBodyArb(instance), { numRuns: 5000, seed: 20261123 });
    for (const body of bodies) {
      if (mayActOn(body, instance)) actionable++;
      const res = await fetch(`${v.url}/api/v1/alertmanager`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body,
      });
      count(res.status);
      await res.arrayBuffer();
    }
    t.log(
      `webhook statuses: ${JSON.stringify(Object.fromEntries(statuses))}; ${actionable} payloads asked an action on web`,
    );
    t.false(
      [...statuses.keys()].some((s) => s >= 500),
      JSON.stringify(Object.fromEntries(statuses)),
    );

    const api = new Map<number, number>();
    for (const r of fc.sample(apiRequestArb, { numRuns: 2000, seed: 7 })) {
      const abort = new AbortController();
      const res = await fetch(`${v.url}${r.url}`, { method: r.method, headers: auth, signal: abort.signal });
      api.set(res.status, (api.get(res.status) ?? 0) + 1);
      abort.abort(); // streams stay open otherwise
    }
    t.log(`API statuses: ${JSON.stringify(Object.fromEntries(api))}`);
    t.false(
      [...api.keys()].some((s) => s >= 500),
      JSON.stringify(Object.fromEntries(api)),
    );
    t.is((await fetch(`${v.url}/health/live`)).status, 200, 'alive');
    t.is(
      await docker(['inspect', '-f', '{{.Id}} {{.State.StartedAt}}', 'untouchable']),
      before,
      'a container no valid alert asked about is untouched',
    );
    t.deepEqual(errorsFrom(v), [], 'no error-level line');
  },
);

test.serial(
  '300 SSE clients that never read: those past the limits get 429 with Retry-After, memory stays bounded, /metrics keeps answering',
  async (t) => {
    const v = await vigilWith({
      VIGIL_STREAMS_MAX: '64',
      VIGIL_STREAMS_PER_CLIENT: '8',
      VIGIL_STREAMS_MEMORY_MB: '32',
      VIGIL_WEBHOOK_MAX_BYTES: '4194304',
    });
    t.teardown(() => v.stop());
    await waitFor(async () => (await readiness(v.url)) === 'ok', { what: 'ready' });
    const { statuses, retryAfter, destroy } = await openIdleEventStreams(v.url, 300, auth);
    t.teardown(destroy);
    t.is(statuses.filter((s) => s === 200).length, 64, 'the total limit admits 64');
    t.is(statuses.filter((s) => s === 429).length, 236);
    t.is(retryAfter, 236, 'every 429 says when to come back');
    // the campaign's flood: 20 000 events (40 requests of 500 alerts), each stream far past its share
    for (let i = 0; i < 40; i++) {
      const body = alertFlood(i, 500, instance);
      t.is(
        (
          await fetch(`${v.url}/api/v1/alertmanager`, {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/json' },
            body,
          })
        ).status,
        200,
      );
      const started = Date.now();
      const scrape = await fetch(`${v.url}/metrics`);
      t.is(scrape.status, 200);
      const text = await scrape.text();
      const gauge = (name: string) =>
        /^(\S+) (\S+)$/m.exec(text.split('\n').find((l) => l.startsWith(`${name} `)) ?? '')?.[2];
      if (i % 10 === 0)
        t.log(
          `/metrics in ${Date.now() - started} ms at ${i * 500} events; ${gauge('vigil_streams_open')} streams open holding ${gauge('vigil_streams_buffered_bytes')} bytes; RSS ${v.rssMb().now.toFixed(0)} MB`,
        );
    }
    const rss = v.rssMb();
    t.log(`peak RSS ${rss.peak.toFixed(0)} MB`);
    t.true(rss.peak < 300, `peak RSS ${rss.peak} MB`);
    const page = (await (await fetch(`${v.url}/api/v1/alerts?limit=10`, { headers: auth })).json()) as {
      total: number;
      alerts: unknown[];
      nextCursor: string;
    };
    t.is(page.alerts.length, 10, 'a page, not 15 000 alerts');
    t.true(page.total >= 20_000);
    t.truthy(page.nextCursor);
    t.deepEqual(errorsFrom(v), []);
  },
);

test.serial(
  'a container with a 200 MB log: tail=all&follow=false streams every line and ends saying so, and vigil stays under 200 MB',
  async (t) => {
    const line = 'x'.repeat(999);
    const lines = 200_000; // 200 MB with the newlines
    await runOn(
      'biglog',
      [],
      ['sh', '-c', `i=0; while [ $i -lt ${lines / 1000} ]; do yes ${line} | head -n 1000; i=$((i+1)); done`],
      engine.host,
    );
    await waitFor(async () => (await docker(['inspect', '-f', '{{.State.Status}}', 'biglog'])) === 'exited', {
      what: 'the log written',
      timeoutMs: 120_000,
    });
    const v = await vigilWith();
    t.teardown(() => v.stop());
    await waitFor(async () => (await readiness(v.url)) === 'ok', { what: 'ready' });
    const res = await fetch(`${v.url}/api/v1/containers/biglog/logs?tail=all&follow=false`, { headers: auth });
    t.is(res.status, 200);
    const { lines: count, end } = await countLogEvents(res.body as unknown as AsyncIterable<Uint8Array>);
    const rss = v.rssMb();
    t.log(`${count} lines; peak RSS ${rss.peak.toFixed(0)} MB`);
    t.is(count, lines, 'complete');
    t.regex(end, /"reason":"complete"/);
    t.true(rss.peak < 200, `peak RSS ${rss.peak} MB`);
  },
);

test.serial('credentials never reach the log: NATS, SMTP and webhook secrets are left out', async (t) => {
  const dir = tempDir(t, 'creds');
  const file = join(dir, 'vigil.json');
  writeFileSync(
    file,
    JSON.stringify({
      channels: [
        {
          name: 'mail',
          type: 'email',
          smtp: { host: '127.0.0.1', port: 1, user: 'mailer', pass: 'smtpSecret789' },
          from: 'vigil@example.org',
          to: ['a@example.org'],
        },
        {
          name: 'hook',
          type: 'webhook',
          url: 'http://hookuser:hookPass321@127.0.0.1:1/hook?token=hookSecret456',
          secret: 'signingSecret999',
        },
      ],
    }),
  );
  const v = await vigilWith({ VIGIL_CONFIG: file, VIGIL_NATS_URL: 'nats://natsuser:natsSecret123@127.0.0.1:1' });
  t.teardown(() => v.stop());
  await waitFor(async () => (await readiness(v.url)) === 'ok', { what: 'ready' });
  for (const name of ['mail', 'hook'])
    await fetch(`${v.url}/api/v1/channels/${name}/test`, { method: 'POST', headers: auth });
  await new Promise((r) => setTimeout(r, 1500));
  const output = v.output();
  t.regex(output, /"msg":"configuration"/, 'the configuration is logged');
  for (const secret of ['smtpSecret789', 'hookSecret456', 'hookPass321', 'signingSecret999', 'natsSecret123', token])
    t.false(output.includes(secret), secret);
});
