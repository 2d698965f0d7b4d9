import test from 'ava';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/temp-dir.js';

const exec = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const run = (cmd: string, args: string[], env: Record<string, string> = {}) =>
  exec(cmd, args, { cwd: repo, env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );

test('promtool check config passes on prometheus/prometheus.yml, its rule files where the stack mounts them', async (t) => {
  // the stack mounts prometheus/rules at /etc/prometheus/rules: the copy points there in this checkout
  const dir = tempDir(t, 'promcfg');
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = readFileSync(join(repo, 'prometheus/prometheus.yml'), 'utf8');
  t.true(config.includes('/etc/prometheus/rules/'));
  const copy = join(dir, 'prometheus.yml');
  writeFileSync(copy, config.replaceAll('/etc/prometheus/rules/', `${join(repo, 'prometheus/rules')}/`));
  const r = await run('promtool', ['check', 'config', copy]);
  t.is(r.code, 0, r.out);
  t.regex(r.out, /SUCCESS: \d+ rules found/);
});

test('promtool check rules passes on every rule file, and finds every rule written in it', async (t) => {
  const files = readdirSync(join(repo, 'prometheus/rules'))
    .filter((f) => f.endsWith('.yml') && !f.endsWith('.test.yml'))
    .map((f) => `prometheus/rules/${f}`);
  t.true(files.length > 0);
  const r = await run('promtool', ['check', 'rules', ...files]);
  t.is(r.code, 0, r.out);
  for (const file of files) {
    const written = (readFileSync(join(repo, file), 'utf8').match(/^\s*- (alert|record):/gm) ?? []).length;
    t.true(written > 0, `${file} has rules`);
    t.true(
      r.out.includes(`Checking ${file}\n  SUCCESS: ${written} rules found`),
      `${file}: ${written} rules in ${r.out}`,
    );
  }
});

test('promtool test rules: every alert fires where it should and not where it should not', async (t) => {
  const r = await run('promtool', ['test', 'rules', 'prometheus/rules/vigil.test.yml']);
  t.is(r.code, 0, r.out);
  t.regex(r.out, /SUCCESS/);
  const tests = readFileSync(`${repo}prometheus/rules/vigil.test.yml`, 'utf8');
  const rules = readFileSync(`${repo}prometheus/rules/vigil.yml`, 'utf8');
  for (const [, alert] of rules.matchAll(/- alert: (\w+)/g))
    t.true(tests.includes(`alertname: ${alert}`), `${alert} is tested`);
});

test('promtool checks and tests the channel rules, every alert of them tested', async (t) => {
  const check = await run('promtool', ['check', 'rules', 'prometheus/rules/channels.yml']);
  t.is(check.code, 0, check.out);
  t.regex(check.out, /SUCCESS: 3 rules found/);
  const r = await run('promtool', ['test', 'rules', 'prometheus/rules/channels.test.yml']);
  t.is(r.code, 0, r.out);
  const tests = readFileSync(`${repo}prometheus/rules/channels.test.yml`, 'utf8');
  const rules = readFileSync(`${repo}prometheus/rules/channels.yml`, 'utf8');
  for (const [, alert] of rules.matchAll(/- alert: (\w+)/g))
    t.true(tests.includes(`alertname: ${alert}`), `${alert} is tested`);
});

for (const file of ['alertmanager.yml', 'alertmanager-fleet.yml']) {
  test(`amtool check-config passes on alertmanager/${file}`, async (t) => {
    const r = await run('amtool', ['check-config', `alertmanager/${file}`]);
    t.is(r.code, 0, r.out);
    t.regex(r.out, /SUCCESS/);
  });
}

test('the file_sd example names each target instance after its host, as the fleet routes expect', (t) => {
  const groups = JSON.parse(readFileSync(`${repo}prometheus/targets/fleet.json.example`, 'utf8')) as {
    targets: string[];
    labels: { instance: string };
  }[];
  const routed = [
    ...readFileSync(`${repo}alertmanager/alertmanager-fleet.yml`, 'utf8').matchAll(/instance="([^"]+)"/g),
  ];
  t.deepEqual(
    groups.map((g) => g.labels.instance),
    routed.map((m) => m[1]),
  );
  t.true(groups.every((g) => g.targets.length === 1));
});

test("docker-compose.monitoring.yml parses with Debian's docker-compose and runs the four services", async (t) => {
  const r = await run('docker-compose', ['-f', 'docker-compose.monitoring.yml', 'config'], {
    VIGIL_API_TOKEN: 'compose-test-token-123',
    GRAFANA_ADMIN_PASSWORD: 'a-grafana-password',
  });
  t.is(r.code, 0, r.out);
  for (const service of ['vigil', 'prometheus', 'alertmanager', 'grafana'])
    t.regex(r.out, new RegExp(`^  ${service}:`, 'm'));
});

test('the compose stack publishes on 127.0.0.1 unless told otherwise, and needs a Grafana admin password', async (t) => {
  const env = { VIGIL_API_TOKEN: 'compose-test-token-123', GRAFANA_ADMIN_PASSWORD: 'a-grafana-password' };
  const r = await run('docker-compose', ['-f', 'docker-compose.monitoring.yml', 'config'], env);
  const published = [...r.out.matchAll(/^ *- ([0-9.]+):\d+:\d+\/tcp$/gm)].map((m) => m[1]);
  t.is(published.length, 4, r.out);
  t.true(
    published.every((ip) => ip === '127.0.0.1'),
    published.join(','),
  );
  t.regex(r.out, /GF_SECURITY_ADMIN_PASSWORD: a-grafana-password/);
  const wide = await run('docker-compose', ['-f', 'docker-compose.monitoring.yml', 'config'], {
    ...env,
    STACK_BIND: '0.0.0.0',
  });
  t.true([...wide.out.matchAll(/^ *- ([0-9.]+):\d+:\d+\/tcp$/gm)].every((m) => m[1] === '0.0.0.0'));
  const noPassword = await run('docker-compose', ['-f', 'docker-compose.monitoring.yml', 'config'], {
    VIGIL_API_TOKEN: 'compose-test-token-123',
  });
  t.not(noPassword.code, 0);
  t.regex(noPassword.out, /GRAFANA_ADMIN_PASSWORD/);
});

test('the dashboard has at least 14 panels, variables for host, compose project and container, and one datasource', (t) => {
  const dashboard = JSON.parse(readFileSync(`${repo}grafana/dashboards/vigil.json`, 'utf8')) as {
    panels: { title: string; targets: { expr: string }[] }[];
    templating: { list: { name: string }[] };
  };
  t.true(dashboard.panels.length >= 14);
  t.deepEqual(dashboard.templating.list.map((v) => v.name).sort(), ['compose_project', 'container', 'host']);
  // every panel follows the host selector
  for (const p of dashboard.panels)
    t.true(
      p.targets.every((x) => x.expr.includes('instance=~"$host"')),
      p.title,
    );
  for (const p of dashboard.panels) t.true(p.targets.length > 0 && p.targets.every((x) => x.expr.length > 0), p.title);
});

/** The receivers amtool routes a label set to in a configuration file, in the routing tree's order. */
async function routedTo(file: string, labels: Record<string, string>): Promise<string[]> {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  const r = await run('amtool', ['config', 'routes', 'test', `--config.file=${file}`, ...pairs]);
  if (r.code !== 0) throw new Error(r.out);
  return r.out
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('Warning:'))
    .join(',')
    .split(',')
    .map((s) => s.trim());
}

const pages: [string, Record<string, string>, string[]][] = [
  ['VigilDown pages on call, and reaches vigil', { alertname: 'VigilDown', severity: 'critical' }, ['oncall', 'vigil']],
  ['VigilStalled pages on call', { alertname: 'VigilStalled', severity: 'critical' }, ['oncall', 'vigil']],
  [
    'a container vigil gave up on pages on call (vigil lists it once)',
    { alertname: 'VigilRecoveryGaveUp', severity: 'critical', source: 'vigil', host: 'h1', container: 'web' },
    ['oncall', 'vigil'],
  ],
  [
    'any critical alert pages on call',
    { alertname: 'ContainerOomKilled', severity: 'critical', name: 'web' },
    ['oncall', 'vigil'],
  ],
  ['a warning goes to vigil alone', { alertname: 'ContainerCpuHigh', severity: 'warning', name: 'web' }, ['vigil']],
  ['the Watchdog goes to the heartbeat alone', { alertname: 'Watchdog', severity: 'none' }, ['heartbeat']],
];
for (const [title, labels, receivers] of pages) {
  test(`alertmanager/alertmanager.yml routes: ${title}`, async (t) => {
    t.deepEqual(await routedTo('alertmanager/alertmanager.yml', labels), receivers);
  });
}

const fleetRoutes: [string, Record<string, string>, string[]][] = [
  [
    "a host's alert goes to its vigil",
    { alertname: 'ContainerCpuHigh', severity: 'warning', instance: 'host-b' },
    ['vigil-host-b'],
  ],
  [
    "a vigil's own alert goes to the vigil of its host, by `host`",
    { alertname: 'VigilCpuSpike', severity: 'warning', source: 'vigil', host: 'host-c', container: 'web' },
    ['vigil-host-c'],
  ],
  [
    'a container a vigil gave up on pages on call, and reaches that vigil',
    { alertname: 'VigilRecoveryGaveUp', severity: 'critical', source: 'vigil', host: 'host-a', container: 'web' },
    ['oncall', 'vigil-host-a'],
  ],
  [
    'VigilDown of a host pages on call',
    { alertname: 'VigilDown', severity: 'critical', instance: 'host-b' },
    ['oncall', 'vigil-host-b'],
  ],
  ['the Watchdog goes to the heartbeat alone', { alertname: 'Watchdog', severity: 'none' }, ['heartbeat']],
];
for (const [title, labels, receivers] of fleetRoutes) {
  test(`alertmanager/alertmanager-fleet.yml routes: ${title}`, async (t) => {
    t.deepEqual(await routedTo('alertmanager/alertmanager-fleet.yml', labels), receivers);
  });
}

test('the shipped rules have an always-firing Watchdog and VigilStalled, tested; the unit pings the watchdog', (t) => {
  const rules = readFileSync(`${repo}prometheus/rules/vigil.yml`, 'utf8');
  t.regex(rules, /- alert: Watchdog\n\s+expr: vector\(1\)/);
  t.regex(rules, /- alert: VigilStalled\n/);
  const unit = readFileSync(`${repo}deploy/vigil.service`, 'utf8');
  t.regex(unit, /^Type=notify$/m);
  t.regex(unit, /^NotifyAccess=all$/m);
  t.regex(unit, /^WatchdogSec=\d+s$/m);
});
