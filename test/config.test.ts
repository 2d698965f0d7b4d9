import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { settingDefinitions } from '../src/config.js';
import {
  ConfigError,
  loadConfig,
  loadConfigWithOrigins,
  originOf,
  parseConfig,
  settingOrigins,
} from '../src/load-config.js';
import { promLabelName } from '../src/metrics/label-names.js';
import { tempDir } from './helpers/temp-dir.js';

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
  const dir = tempDir(t, 'config');
  const file = join(dir, 'vigil.yaml');
  writeFileSync(file, 'statsSource: cgroup\nlogLevel: warn\nlabels: [team, app]\n');
  const c = loadConfig({ VIGIL_CONFIG: file, VIGIL_LOG_LEVEL: 'error' });
  t.is(c.statsSource, 'cgroup');
  t.is(c.logLevel, 'error');
  t.deepEqual(c.labels, ['team', 'app']);
});

test('each setting says where it came from: the environment over the file, else its default', (t) => {
  const dir = tempDir(t, 'config');
  const file = join(dir, 'vigil.yaml');
  writeFileSync(file, 'spikeCpuWarn: 60\nspikeForSeconds: 30\nlogLevel: warn\n');
  const { config, origins } = loadConfigWithOrigins({
    VIGIL_CONFIG: file,
    VIGIL_SPIKE_FOR_SECONDS: '45',
    VIGIL_SPIKE_MEMORY_CRIT: '',
  });
  t.is(config.spikeCpuWarn, 60);
  t.is(config.spikeForMs, 45_000);
  t.is(originOf(origins, 'spikeCpuWarn'), 'file');
  t.is(originOf(origins, 'spikeForMs'), 'env', 'the environment wins, and is named');
  t.is(originOf(origins, 'spikeMemoryCrit'), 'default', 'an empty variable sets nothing');
  t.is(originOf(origins, 'logLevel'), 'file');
  t.deepEqual(settingOrigins({}), {});
});

test('a misspelt key in the file is an error, not ignored', (t) => {
  const dir = tempDir(t, 'config');
  const file = join(dir, 'vigil.json');
  writeFileSync(file, '{"statSource": "api"}');
  const err = t.throws(() => loadConfig({ VIGIL_CONFIG: file }), { instanceOf: ConfigError });
  t.regex(err.message, /statSource/);
});

test('an unreadable or unparsable file is named in the error', (t) => {
  t.throws(() => loadConfig({ VIGIL_CONFIG: '/nonexistent/vigil.yaml' }), {
    message: /cannot read \/nonexistent\/vigil.yaml/,
  });
  const dir = tempDir(t, 'config');
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

/** Every variable and file key vigil has read, as deployments set them: none may stop working. */
const namesInUse: [env: string, fileKey: string][] = [
  ['VIGIL_LISTEN', 'listen'],
  ['DOCKER_HOST', 'dockerHost'],
  ['VIGIL_DATA_DIR', 'dataDir'],
  ['VIGIL_API_TOKEN', 'apiToken'],
  ['VIGIL_ALLOWED_HOSTS', 'allowedHosts'],
  ['VIGIL_WEBHOOK_TOKEN', 'webhookToken'],
  ['VIGIL_STATS_SOURCE', 'statsSource'],
  ['VIGIL_LABELS', 'labels'],
  ['VIGIL_AUTOHEAL', 'autoheal'],
  ['VIGIL_RECONCILE_ON_BOOT', 'reconcileOnBoot'],
  ['VIGIL_NATS_URL', 'natsUrl'],
  ['VIGIL_ALERTMANAGER_URL', 'alertmanagerUrl'],
  ['VIGIL_LOG_LEVEL', 'logLevel'],
  ['VIGIL_SAMPLE_INTERVAL_SECONDS', 'sampleIntervalSeconds'],
  ['VIGIL_CGROUP_ROOT', 'cgroupRoot'],
  ['VIGIL_PROC_ROOT', 'procRoot'],
  ['VIGIL_API_STATS_CONCURRENCY', 'apiStatsConcurrency'],
  ['VIGIL_INSPECT_CONCURRENCY', 'inspectConcurrency'],
  ['VIGIL_SSE_HEARTBEAT_SECONDS', 'sseHeartbeatSeconds'],
  ['VIGIL_LOGS_TAIL_MAX', 'logsTailMax'],
  ['VIGIL_LOGS_DEFAULT_TAIL', 'logsDefaultTail'],
  ['VIGIL_EVENT_BUFFER', 'eventBufferSize'],
  ['VIGIL_NATS_INTERVAL_SECONDS', 'natsIntervalSeconds'],
  ['VIGIL_BACKOFF_BASE_SECONDS', 'backoffBaseSeconds'],
  ['VIGIL_BACKOFF_MAX_SECONDS', 'backoffMaxSeconds'],
  ['VIGIL_BACKOFF_RESET_SECONDS', 'backoffResetSeconds'],
  ['VIGIL_RECOVERY_MAX_ATTEMPTS', 'recoveryMaxAttempts'],
  ['VIGIL_RECOVERY_CONCURRENCY', 'recoveryConcurrency'],
  ['VIGIL_BOOT_GRACE_SECONDS', 'bootGraceSeconds'],
  ['VIGIL_ENGINE_SHUTDOWN_WINDOW_SECONDS', 'engineShutdownWindowSeconds'],
  ['VIGIL_SWEEP_CRON', 'sweepCron'],
  ['VIGIL_HISTORY_DAYS', 'historyDays'],
  ['VIGIL_CLEANUP_AFTER_SECONDS', 'cleanupAfterSeconds'],
  ['VIGIL_GRAFANA_URL', 'grafanaUrl'],
  ['VIGIL_NOTIFY_EXPIRY_HOURS', 'notifyExpiryHours'],
  ['VIGIL_NOTIFY_DEDUPE_SECONDS', 'notifyDedupeSeconds'],
  ['VIGIL_NOTIFY_GROUP_SECONDS', 'notifyGroupSeconds'],
  ['VIGIL_NOTIFY_RETRY_SECONDS', 'notifyRetrySeconds'],
  ['VIGIL_NOTIFY_RETRY_MAX_SECONDS', 'notifyRetryMaxSeconds'],
  ['VIGIL_ALERT_CONTAINER_LABELS', 'alertContainerLabels'],
  ['VIGIL_WEBHOOK_MAX_BYTES', 'webhookMaxBytes'],
  ['VIGIL_ALERT_INSTANCE', 'alertInstance'],
  ['VIGIL_HOST', 'host'],
  ['VIGIL_ALERT_EXPIRY_HOURS', 'alertExpiryHours'],
  ['VIGIL_SPIKE_CPU_WARN', 'spikeCpuWarn'],
  ['VIGIL_SPIKE_CPU_CRIT', 'spikeCpuCrit'],
  ['VIGIL_SPIKE_MEMORY_WARN', 'spikeMemoryWarn'],
  ['VIGIL_SPIKE_MEMORY_CRIT', 'spikeMemoryCrit'],
  ['VIGIL_SPIKE_FOR_SECONDS', 'spikeForSeconds'],
  ['VIGIL_SPIKE_NOTIFY', 'spikeNotify'],
  ['VIGIL_INCIDENT_QUIET_SECONDS', 'incidentQuietSeconds'],
  ['VIGIL_REPORT_QUIET_MINUTES', 'reportQuietMinutes'],
  ['VIGIL_STREAMS_MAX', 'streamsMax'],
  ['VIGIL_QUEUE_WARN', 'queueWarn'],
  ['VIGIL_QUEUE_CRITICAL', 'queueCritical'],
  ['VIGIL_READY_MEMORY_PERCENT', 'readyMemoryPercent'],
  ['VIGIL_STREAMS_PER_CLIENT', 'streamsPerClient'],
  ['VIGIL_STREAMS_MEMORY_MB', 'streamsMemoryMb'],
];

test('every environment variable and file key ever documented is still read, as the same setting', (t) => {
  for (const [env, fileKey] of namesInUse) {
    const d = settingDefinitions.find((s) => s.env === env);
    t.truthy(d, `${env} is read`);
    t.is(d?.file ?? d?.key, fileKey, `${env}'s file key`);
  }
  const envs = settingDefinitions.flatMap((d) => (d.env ? [d.env] : []));
  const fileKeys = settingDefinitions.map((d) => d.file ?? d.key);
  t.is(new Set(envs).size, envs.length, 'no variable names two settings');
  t.is(new Set(fileKeys).size, fileKeys.length, 'no file key names two settings');
});

test('a duration is milliseconds in the configuration; its variable takes a bare number in its unit, as before', (t) => {
  const durations = settingDefinitions.filter((d) => d.msPerUnit !== undefined);
  t.is(durations.length, 19); // VIGIL_ALERT_RESEND_SECONDS the 19th
  for (const d of durations) {
    t.is(parseConfig({ [d.env!]: '2' })[d.key], 2 * d.msPerUnit!, d.env);
    t.true(d.key.endsWith('Ms'), `${d.key} says its unit`);
  }
  const c = parseConfig({
    VIGIL_SAMPLE_INTERVAL_SECONDS: '750ms',
    VIGIL_BACKOFF_MAX_SECONDS: '5m',
    VIGIL_REPORT_QUIET_MINUTES: '2h',
  });
  t.is(c.sampleIntervalMs, 750);
  t.is(c.backoffMaxMs, 300_000);
  t.is(c.reportQuietMs, 7_200_000);
  t.is(parseConfig({}).notifyExpiryMs, 24 * 3_600_000);
  t.is(parseConfig({ VIGIL_BOOT_GRACE_SECONDS: '0' }).bootGraceMs, 0);
});

test('a duration that is not one, or zero where it must pass, is refused by its variable', (t) => {
  for (const bad of ['soon', '-1', '5 minutes', '0', '0s']) {
    const err = t.throws(() => parseConfig({ VIGIL_SAMPLE_INTERVAL_SECONDS: bad }), { instanceOf: ConfigError }, bad);
    t.regex(err.message, /VIGIL_SAMPLE_INTERVAL_SECONDS \(sampleIntervalSeconds\): expected a duration/, bad);
  }
});

test('the file names a duration by its unit, as a number or with a unit; the configuration key is not a file key', (t) => {
  t.is(parseConfig({}, { sampleIntervalSeconds: 2 }).sampleIntervalMs, 2000);
  t.is(parseConfig({}, { reportQuietMinutes: '90s' }).reportQuietMs, 90_000);
  t.is(parseConfig({ VIGIL_SAMPLE_INTERVAL_SECONDS: '3' }, { sampleIntervalSeconds: 2 }).sampleIntervalMs, 3000);
  const err = t.throws(() => parseConfig({}, { sampleIntervalMs: 5000 }), { instanceOf: ConfigError });
  t.regex(err.message, /sampleIntervalMs: not a setting/);
});

test('VIGIL_SWEEP_CRON takes five fields or six with seconds; one that is malformed or never comes is refused, named', (t) => {
  t.is(loadConfig({ VIGIL_SWEEP_CRON: '*/10 * * * * *' }).sweepCron, '*/10 * * * * *');
  t.is(loadConfig({ VIGIL_SWEEP_CRON: '0 3 * * 0' }).sweepCron, '0 3 * * 0');
  t.throws(() => loadConfig({ VIGIL_SWEEP_CRON: '61 * * * *' }), {
    instanceOf: ConfigError,
    message: /VIGIL_SWEEP_CRON.*"61 \* \* \* \*" is not a cron expression: .*minute/s,
  });
  t.throws(() => loadConfig({ VIGIL_SWEEP_CRON: '0 0 31 2 *' }), {
    instanceOf: ConfigError,
    message: /"0 0 31 2 \*" is not a cron expression: no time ever matches it/,
  });
});
