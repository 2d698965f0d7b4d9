import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseConfig } from '../src/load-config.js';
import { promLabelName } from '../src/metrics/label-names.js';

test('defaults follow DESIGN.md when nothing is set', (t) => {
  const c = parseConfig({});
  t.deepEqual(c.listen, { host: '127.0.0.1', port: 9323 });
  t.is(c.dockerHost, 'unix:///var/run/docker.sock');
  t.is(c.dataDir, './data');
  t.is(c.statsSource, 'auto');
  t.deepEqual(c.labels, ['forge.agent.type', 'forge.project.id']);
  t.is(c.autoheal, 'labelled');
  t.is(c.reconcileOnBoot, 'all');
  t.is(c.logLevel, 'info');
  t.is(c.apiToken, undefined);
});

test('environment variables are read by their documented names', (t) => {
  const c = parseConfig({
    VIGIL_LISTEN: '127.0.0.2:8080',
    DOCKER_HOST: 'tcp://127.0.0.1:2375',
    VIGIL_STATS_SOURCE: 'api',
    VIGIL_LABELS: 'team, tier ,,app',
    VIGIL_LOG_LEVEL: 'debug',
    VIGIL_SAMPLE_INTERVAL_SECONDS: '0.5',
  });
  t.deepEqual(c.listen, { host: '127.0.0.2', port: 8080 });
  t.is(c.dockerHost, 'tcp://127.0.0.1:2375');
  t.is(c.statsSource, 'api');
  t.deepEqual(c.labels, ['team', 'tier', 'app']);
  t.is(c.sampleIntervalMs, 500);
});

test('with a token vigil listens on all interfaces by default and the webhook token defaults to it', (t) => {
  const c = parseConfig({ VIGIL_API_TOKEN: 'a-long-enough-token' });
  t.deepEqual(c.listen, { host: '0.0.0.0', port: 9323 });
  t.is(c.webhookToken, 'a-long-enough-token');
});

test('a non-loopback listen address without a token is refused', (t) => {
  const err = t.throws(() => parseConfig({ VIGIL_LISTEN: '0.0.0.0:9323' }), { instanceOf: ConfigError });
  t.regex(err.message, /VIGIL_LISTEN.*not a loopback address/);
});

test('every problem is listed at once, named by its variable', (t) => {
  const err = t.throws(
    () =>
      parseConfig({
        VIGIL_STATS_SOURCE: 'magic',
        VIGIL_LOG_LEVEL: 'loud',
        VIGIL_API_TOKEN: 'short',
        DOCKER_HOST: 'docker.sock',
      }),
    {
      instanceOf: ConfigError,
    },
  );
  t.is(err.problems.length, 4);
  t.true(err.problems.some((p) => p.startsWith('VIGIL_STATS_SOURCE')));
  t.true(err.problems.some((p) => p.startsWith('VIGIL_LOG_LEVEL')));
  t.true(err.problems.some((p) => p.startsWith('VIGIL_API_TOKEN')));
  t.true(err.problems.some((p) => p.startsWith('DOCKER_HOST')));
});

test('two labels that sanitize to the same Prometheus name are refused', (t) => {
  const err = t.throws(() => parseConfig({ VIGIL_LABELS: 'a.b,a_b' }), { instanceOf: ConfigError });
  t.regex(err.message, /label_a_b/);
});

test('the file is read as YAML, and the environment wins over it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
  const file = join(dir, 'vigil.yaml');
  writeFileSync(file, 'statsSource: cgroup\nlogLevel: warn\nlabels: [team, app]\n');
  const c = loadConfig({ VIGIL_CONFIG: file, VIGIL_LOG_LEVEL: 'error' });
  t.is(c.statsSource, 'cgroup');
  t.is(c.logLevel, 'error');
  t.deepEqual(c.labels, ['team', 'app']);
});

test('a misspelt key in the file is an error, not ignored', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
  const file = join(dir, 'vigil.json');
  writeFileSync(file, '{"statSource": "api"}');
  const err = t.throws(() => loadConfig({ VIGIL_CONFIG: file }), { instanceOf: ConfigError });
  t.regex(err.message, /statSource/);
});

test('an unreadable or unparsable file is named in the error', (t) => {
  t.throws(() => loadConfig({ VIGIL_CONFIG: '/nonexistent/vigil.yaml' }), {
    message: /cannot read \/nonexistent\/vigil.yaml/,
  });
  const dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'a: [unclosed');
  t.throws(() => loadConfig({ VIGIL_CONFIG: file }), { message: /not valid YAML or JSON/ });
});

test('Docker label names become valid Prometheus label names', (t) => {
  t.is(promLabelName('forge.agent.type'), 'label_forge_agent_type');
  t.is(promLabelName('com.example/some-key'), 'label_com_example_some_key');
});

test('VIGIL_ALLOWED_HOSTS: comma-separated names, lower case, without a trailing dot; a port or scheme is an error', (t) => {
  t.deepEqual(parseConfig({}).allowedHosts, []);
  t.deepEqual(parseConfig({ VIGIL_ALLOWED_HOSTS: 'Vigil.Example.com., proxy , *' }).allowedHosts, [
    'vigil.example.com',
    'proxy',
    '*',
  ]);
  for (const bad of ['vigil.example.com:443', 'https://vigil.example.com', 'a b'])
    t.throws(() => parseConfig({ VIGIL_ALLOWED_HOSTS: bad }), { message: /VIGIL_ALLOWED_HOSTS/ }, bad);
});
