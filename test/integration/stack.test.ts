import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VigilEvent } from '../../src/streams/events.js';
import { TestAlertmanager } from '../helpers/alertmanager.js';
import { runContainer, uniqueName, waitFor } from '../helpers/engine.js';
import { freePort } from '../helpers/net.js';
import { PrivateEngine } from '../helpers/private-engine.js';
import { TestPrometheus } from '../helpers/prometheus.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { startVigil, type RunningVigil } from '../helpers/vigil.js';
import { fileTempDirs } from '../helpers/temp-dir.js';

// the file's temp dirs, removed after its last test
const temp = fileTempDirs(test);

// The whole stack from the repository's own files: Prometheus with prometheus/ (rules included),
// Alertmanager with alertmanager/alertmanager.yml, the dashboard's queries, vigil, a real engine.
const repo = fileURLToPath(new URL('../../', import.meta.url));
const engine = new PrivateEngine();
const token = 'stack-webhook-token-0123456789';
const sick = uniqueName('sick');
let vigil: RunningVigil;
let prometheus: TestPrometheus;
let am: TestAlertmanager;
let smtp: TestSmtpServer;
const events: VigilEvent[] = [];

test.before(async () => {
  await engine.up();
  smtp = new TestSmtpServer(await freePort());
  await smtp.start();
  const dir = temp('stack');
  writeFileSync(
    join(dir, 'vigil.json'),
    JSON.stringify({
      channels: [smtp.channel()],
    }),
  );
  const amPort = await freePort();
  vigil = await startVigil({
    DOCKER_HOST: engine.host,
    VIGIL_CONFIG: join(dir, 'vigil.json'),
    VIGIL_API_TOKEN: token,
    VIGIL_AUTOHEAL: 'labelled',
    VIGIL_ALERTMANAGER_URL: `http://127.0.0.1:${amPort}`,
    VIGIL_BOOT_GRACE_SECONDS: '0',
    VIGIL_NOTIFY_GROUP_SECONDS: '0',
    // one restart of its own, then the medic gives up: the container stays unhealthy, so the rule fires
    VIGIL_RECOVERY_MAX_ATTEMPTS: '1',
    VIGIL_BACKOFF_BASE_SECONDS: '1',
  });
  vigil.vigil.bus.on('event', (e) => events.push(e));

  // the repository's alertmanager.yml, with the webhook at this vigil and a token file of the test's
  const tokenFile = join(dir, 'vigil-token');
  writeFileSync(tokenFile, token);
  const amConfig = readFileSync(join(repo, 'alertmanager/alertmanager.yml'), 'utf8')
    .replace('http://vigil:9323', vigil.url)
    .replace('/etc/alertmanager/vigil-token', tokenFile)
    .replace('group_wait: 10s', 'group_wait: 1s');
  am = new TestAlertmanager(amPort, '', token);
  await am.startWithConfig(amConfig);

  await runContainer(
    sick,
    [
      '--label',
      'vigil.autoheal=true',
      '--health-cmd',
      'test -f /tmp/ok',
      '--health-interval',
      '1s',
      '--health-retries',
      '1',
      '--stop-timeout',
      '1',
    ],
    ['sleep', '100000'],
    engine.host,
  );
  await runContainer(
    uniqueName('web'),
    [
      '--label',
      'com.docker.compose.project=shop',
      '--label',
      'com.docker.compose.service=web',
      '--memory',
      '64m',
      '--cpus',
      '0.5',
    ],
    ['sh', '-c', 'while :; do sleep 0.01; done'],
    engine.host,
  );
  await runContainer(uniqueName('crashed'), [], ['sh', '-c', 'exit 3'], engine.host);

  prometheus = new TestPrometheus(await freePort(), vigil.url.replace('http://', ''), `127.0.0.1:${amPort}`);
  await prometheus.start();
});

test.after.always(async () => {
  await prometheus?.stop();
  await am?.stop();
  await vigil?.stop();
  await smtp?.stop();
  await engine.destroy();
});

test.serial(
  'an unhealthy container fires the rule; Alertmanager delivers it to vigil, which acts and notifies',
  async (t) => {
    const alert = await waitFor(
      async () => {
        const r = await prometheus.query(`ALERTS{alertname="ContainerUnhealthy", alertstate="firing", name="${sick}"}`);
        return r.data.result.length > 0;
      },
      { what: 'ContainerUnhealthy firing in Prometheus', timeoutMs: 90_000, intervalMs: 1000 },
    );
    t.true(alert);
    const mail = await waitFor(() => smtp.mails.find((m) => m.raw.includes(`[FIRING] ContainerUnhealthy on ${sick}`)), {
      what: 'the alert email',
      timeoutMs: 30_000,
    });
    t.regex(mail.raw, new RegExp(`${sick} is unhealthy`));
    const listed = (
      (await (await vigil.get('/api/v1/alerts', { headers: { authorization: `Bearer ${token}` } })).json()) as {
        alerts: { alertname: string; container: string; severity: string }[];
      }
    ).alerts;
    t.truthy(
      listed.find((a) => a.alertname === 'ContainerUnhealthy' && a.container === sick && a.severity === 'critical'),
    );
    // vigil acted on the container (its own restart on turning unhealthy, then giving up, or the alert's reconcile)
    const acted = events.filter(
      (e) => e.container?.name === sick && (e.type === 'recovery.action' || e.type === 'recovery.gave_up'),
    );
    t.true(acted.some((e) => e.type === 'recovery.action' && e.data.action === 'restart'));
    t.true(
      events.some((e) => e.type === 'alert' && e.data.alertname === 'ContainerUnhealthy' && e.container?.name === sick),
      'the webhook reached vigil',
    );
  },
);

const substitute = (expr: string) =>
  expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$host', '.*')
    .replaceAll('$compose_project', '.*')
    .replaceAll('$container', '.*');

test.serial('every query of the dashboard returns data against the live stack', async (t) => {
  const dashboard = JSON.parse(readFileSync(join(repo, 'grafana/dashboards/vigil.json'), 'utf8')) as {
    panels: { title: string; targets: { expr: string }[] }[];
  };
  for (const panel of dashboard.panels) {
    for (const target of panel.targets) {
      const r = await waitFor(
        async () => {
          const answer = await prometheus.query(substitute(target.expr));
          return answer.status === 'success' && answer.data.result.length > 0 && answer;
        },
        { what: `data for "${panel.title}": ${target.expr}`, timeoutMs: 30_000, intervalMs: 1000 },
      );
      t.true(r.data.result.length > 0, panel.title);
    }
  }
});

test.serial('every rule runs against the live stack, and every series it reads is there', async (t) => {
  const rules = readFileSync(join(repo, 'prometheus/rules/vigil.yml'), 'utf8');
  const exprs = [...rules.matchAll(/expr: \|\n((?:\s{10}.*\n)+)|expr: (.+)/g)].map((m) => (m[1] ?? m[2])!.trim());
  t.true(exprs.length >= 13);
  const checked = new Set<string>();
  const functions = new Set([
    'rate',
    'increase',
    'delta',
    'on',
    'and',
    'or',
    'ignoring',
    'group_left',
    'vector',
    'count',
    'sum',
    'by',
  ]);
  for (const expr of exprs) {
    const answer = await prometheus.query(expr);
    t.is(answer.status, 'success', `${expr}: ${answer.error ?? ''}`);
    // label lists of on (…), ignoring (…), by (…) are not metrics
    const bare = expr.replace(/\b(?:on|ignoring|by|without|group_left|group_right)\s*\([^)]*\)/g, '');
    const metrics = new Set(
      [...bare.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?=[{[]|\s*\/|\s*$|\s*\)|\s+(?:!=|==|>|and|or))/g)]
        .map((m) => m[1]!)
        .filter((n) => !functions.has(n)),
    );
    for (const metric of metrics) {
      const present = await waitFor(async () => (await prometheus.query(`count(${metric})`)).data.result.length > 0, {
        what: `${metric} (from ${expr})`,
        timeoutMs: 20_000,
        intervalMs: 1000,
      });
      t.true(present, metric);
      checked.add(metric);
    }
  }
  for (const metric of [
    'docker_container_cpu_usage_seconds_total',
    'docker_container_memory_limit_bytes',
    'docker_container_health_status',
    'docker_container_restarts_total',
    'docker_container_oom_kills_total',
    'docker_container_exit_code',
    'docker_container_state',
    'up',
    'vigil_engine_up',
    'vigil_outbox_depth',
    'vigil:container_cpu_usage:ratio',
  ]) {
    t.true(checked.has(metric), `${metric} was checked`);
  }
});
