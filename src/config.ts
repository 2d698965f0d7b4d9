import { isIP } from 'node:net';
import { Cron } from 'croner';
import { z } from 'zod';
import { msPer, parseDurationMs, type DurationUnit } from './duration.js';
import { promLabelName } from './metrics/label-names.js';
import { channelSchema } from './notify/channel-config.js';

/**
 * What a setting is called outside the code and what it does: the README's configuration table is
 * generated from these (`npm run docs:config`), and load-config.ts reads the environment by them.
 */
export interface SettingDoc {
  /** The environment variable; none for a setting only the file can hold. */
  env?: string;
  /** Its key in the file when that is not the configuration's: a duration's key there names its unit. */
  file?: string;
  /** What it does, one line of Markdown for the README. */
  doc: string;
  /** The unit of a bare number. */
  unit?: string;
  /** The default as the README tells it, when no value says it (none, or taken from another setting). */
  shownDefault?: string;
  /** For a duration: milliseconds in its unit, to show the default as it is written. */
  msPerUnit?: number;
}

export const settingDocs = z.registry<SettingDoc>();

function setting<S extends z.ZodType>(schema: S, doc: SettingDoc): S {
  settingDocs.add(schema, doc);
  return schema;
}

const unitNames: Record<DurationUnit, string> = { ms: 'ms', s: 'seconds', m: 'minutes', h: 'hours', d: 'days' };

/**
 * A duration, milliseconds in the configuration: a bare number is in `unit` (the unit its environment
 * name ends in, as before), text may carry its own (`500ms`, `30s`, `5m`, `2h`, `1d`).
 */
function duration(
  unit: DurationUnit,
  byDefault: number,
  doc: SettingDoc & { file: string },
  least: 'positive' | 'zero' = 'positive',
) {
  const schema = z.union([z.number(), z.string()]).transform((value, ctx) => {
    const ms = parseDurationMs(String(value), unit);
    if (ms === null || (least === 'positive' && ms === 0)) {
      const floor = least === 'positive' ? 'above 0' : '0 or more';
      ctx.addIssue({
        code: 'custom',
        message: `expected a duration ${floor}: a number of ${unitNames[unit]}, or one with its unit (500ms, 30s, 5m, 2h, 1d)`,
      });
      return z.NEVER;
    }
    return ms;
  });
  return setting(schema.prefault(byDefault), { ...doc, unit: unitNames[unit], msPerUnit: msPer[unit] });
}

const commaList = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0),
);

const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:9323');

const policyScope = z.enum(['all', 'labelled', 'off']);
const percentLine = z.coerce.number().gt(0).max(10_000);
const tooShort = 'a token shorter than 16 characters is too easy to guess';

/**
 * Every setting, in the README's order: its schema and, beside it, its names and doc. The keys are the
 * configuration's; load-config.ts brings the file's keys and the environment's names to them.
 */
export const settings = {
  listen: setting(hostPort.optional(), {
    env: 'VIGIL_LISTEN',
    doc: 'host:port of the HTTP server',
    shownDefault: '`127.0.0.1:9323`; `0.0.0.0:9323` when a token is set',
  }),
  dockerHost: setting(
    z
      .string()
      .regex(/^(unix|tcp|http|https):\/\/.+/, 'expected unix:///path or tcp://host:port')
      .default('unix:///var/run/docker.sock'),
    {
      env: 'DOCKER_HOST',
      doc: "the engine, as Docker's own clients read it (`unix://…`, `tcp://…`; with `DOCKER_TLS_VERIFY=1` and `DOCKER_CERT_PATH` for TLS, read by docker-modem itself)",
    },
  ),
  dataDir: setting(z.string().min(1).default('./data'), {
    env: 'VIGIL_DATA_DIR',
    doc: 'where the SQLite store lives',
  }),
  apiToken: setting(z.string().min(16, tooShort).optional(), {
    env: 'VIGIL_API_TOKEN',
    doc: 'bearer token for `/api/v1` (16 characters at least)',
  }),
  // the rule is src/http/request-guard.ts's
  allowedHosts: setting(
    z
      .union([commaList, z.array(z.string())])
      .pipe(
        z.array(
          z
            .string()
            .regex(/^(\*|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?\.?)$/, 'a host name (no port, no scheme), or *')
            .transform((name) => name.toLowerCase().replace(/\.$/, '')),
        ),
      )
      .default([]),
    {
      env: 'VIGIL_ALLOWED_HOSTS',
      doc: "comma-separated host names vigil answers under besides its address, `localhost` and the machine's name (a reverse proxy's; `*` for any); enforced always without a token, with one only when set (see [Running it](#running-it))",
    },
  ),
  webhookToken: setting(z.string().min(16, tooShort).optional(), {
    env: 'VIGIL_WEBHOOK_TOKEN',
    doc: 'bearer token for the Alertmanager webhook',
    shownDefault: '`VIGIL_API_TOKEN`',
  }),
  statsSource: setting(z.enum(['auto', 'cgroup', 'api']).default('auto'), {
    env: 'VIGIL_STATS_SOURCE',
    doc: '`auto` (cgroup files, the stats API for what they cannot read), `cgroup` or `api`',
  }),
  labels: setting(z.union([commaList, z.array(z.string().min(1))]).default(['forge.agent.type', 'forge.project.id']), {
    env: 'VIGIL_LABELS',
    doc: 'comma-separated Docker labels exported on `docker_container_info` and in the JSON',
  }),
  autoheal: setting(policyScope.default('labelled'), {
    env: 'VIGIL_AUTOHEAL',
    doc: 'which containers vigil restarts when ill or crashed: `all`, `labelled`, `off`',
  }),
  reconcileOnBoot: setting(policyScope.default('all'), {
    env: 'VIGIL_RECONCILE_ON_BOOT',
    doc: 'which should-run containers vigil brings back after an engine or host restart: `all`, `labelled`, `off`',
  }),
  natsUrl: setting(
    z
      .string()
      .regex(/^(nats|tls|ws|wss):\/\/.+/, 'expected nats://host:port')
      .optional(),
    { env: 'VIGIL_NATS_URL', doc: 'NATS server; publishing is off without it' },
  ),
  alertmanagerUrl: setting(
    z
      .union([commaList, z.array(z.string())])
      .pipe(z.array(z.url({ protocol: /^https?$/ })).min(1))
      .optional(),
    {
      env: 'VIGIL_ALERTMANAGER_URL',
      doc: 'where vigil sends its own alerts (every peer of a cluster, comma-separated) and creates silences on acknowledge (the first peer that takes it)',
    },
  ),
  host: setting(
    z
      .string()
      .max(253)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-", starting with a letter or digit')
      .optional(),
    {
      env: 'VIGIL_HOST',
      doc: "this host's name in payloads, NATS subjects, `vigil_host_info` and the page",
      shownDefault: "the engine's name, else the hostname",
    },
  ),
  logLevel: setting(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), {
    env: 'VIGIL_LOG_LEVEL',
    doc: 'pino level; JSON lines, pretty on a terminal',
  }),
  sampleIntervalMs: duration('s', 5, {
    env: 'VIGIL_SAMPLE_INTERVAL_SECONDS',
    file: 'sampleIntervalSeconds',
    doc: 'how often every running container is sampled',
  }),
  // mount them there when vigil runs in a container
  cgroupRoot: setting(z.string().min(1).default('/sys/fs/cgroup'), {
    env: 'VIGIL_CGROUP_ROOT',
    doc: "where the host's cgroup tree is visible",
  }),
  procRoot: setting(z.string().min(1).default('/proc'), {
    env: 'VIGIL_PROC_ROOT',
    doc: "where the host's `/proc` is visible",
  }),
  apiStatsConcurrency: setting(z.coerce.number().int().min(1).max(256).default(8), {
    env: 'VIGIL_API_STATS_CONCURRENCY',
    doc: 'stats API calls in flight on the fallback path, at least (more as the containers and interval need, up to 256)',
  }),
  inspectConcurrency: setting(z.coerce.number().int().min(1).max(64).default(16), {
    env: 'VIGIL_INSPECT_CONCURRENCY',
    doc: 'inspections in flight during a resync',
  }),
  probeConcurrency: setting(z.coerce.number().int().min(1).max(256).default(8), {
    env: 'VIGIL_PROBE_CONCURRENCY',
    doc: 'exec probes (`vigil.probe.exec`) running at once across all containers; the rest wait their turn',
  }),
  sseHeartbeatMs: duration('s', 15, {
    env: 'VIGIL_SSE_HEARTBEAT_SECONDS',
    file: 'sseHeartbeatSeconds',
    doc: 'comment lines on idle SSE streams, for proxies',
  }),
  logsTailMax: setting(z.coerce.number().int().min(1).max(1_000_000).default(10_000), {
    env: 'VIGIL_LOGS_TAIL_MAX',
    doc: 'the largest `tail` a log request may ask (besides `all`)',
  }),
  logsDefaultTail: setting(z.coerce.number().int().min(0).max(1_000_000).default(100), {
    env: 'VIGIL_LOGS_DEFAULT_TAIL',
    doc: 'the tail of a log request that asks none',
  }),
  eventBufferSize: setting(z.coerce.number().int().min(10).max(1_000_000).default(1000), {
    env: 'VIGIL_EVENT_BUFFER',
    doc: 'events kept for `/api/v1/events` clients resuming with `Last-Event-ID`',
  }),
  natsIntervalMs: duration('s', 10, {
    env: 'VIGIL_NATS_INTERVAL_SECONDS',
    file: 'natsIntervalSeconds',
    doc: 'how often `vigil.<host>.container.health.all` and `…stats` are published',
  }),
  backoffBaseMs: duration('s', 10, {
    env: 'VIGIL_BACKOFF_BASE_SECONDS',
    file: 'backoffBaseSeconds',
    doc: 'recovery backoff: the first delay, doubling up to the cap',
  }),
  backoffMaxMs: duration('s', 300, {
    env: 'VIGIL_BACKOFF_MAX_SECONDS',
    file: 'backoffMaxSeconds',
    doc: "recovery backoff's cap",
  }),
  backoffResetMs: duration('s', 600, {
    env: 'VIGIL_BACKOFF_RESET_SECONDS',
    file: 'backoffResetSeconds',
    doc: 'a healthy run this long forgives earlier attempts',
  }),
  recoveryMaxAttempts: setting(z.coerce.number().int().min(1).max(1000).default(5), {
    env: 'VIGIL_RECOVERY_MAX_ATTEMPTS',
    doc: 'actions on one container that may fail before vigil gives up on it',
  }),
  recoveryConcurrency: setting(z.coerce.number().int().min(1).max(64).default(4), {
    env: 'VIGIL_RECOVERY_CONCURRENCY',
    doc: 'recovery actions in flight at once, engine-wide, so that a mass failure does not stampede the engine',
  }),
  bootGraceMs: duration(
    's',
    5,
    {
      env: 'VIGIL_BOOT_GRACE_SECONDS',
      file: 'bootGraceSeconds',
      doc: "after the engine or vigil starts, the time the engine's own restart policies get first",
    },
    'zero',
  ),
  engineShutdownWindowMs: duration('s', 30, {
    env: 'VIGIL_ENGINE_SHUTDOWN_WINDOW_SECONDS',
    file: 'engineShutdownWindowSeconds',
    doc: "how far back stops are examined when the engine goes away: of those this close before, the ones after whose kill the engine refused a new connection were its shutdown, not a person's",
  }),
  sweepCron: setting(z.string().min(9).default('* * * * *'), {
    env: 'VIGIL_SWEEP_CRON',
    doc: 'cron schedule (five fields, or six with seconds first) of the safety-net sweep over every container, and history pruning',
  }),
  historyDays: setting(z.coerce.number().int().min(1).max(3650).default(30), {
    env: 'VIGIL_HISTORY_DAYS',
    doc: 'days of history kept in the store',
    unit: 'days',
  }),
  cleanupAfterMs: duration(
    's',
    600,
    {
      env: 'VIGIL_CLEANUP_AFTER_SECONDS',
      file: 'cleanupAfterSeconds',
      doc: 'a container labelled `vigil.cleanup=true` that vigil gave up on is removed this long after',
    },
    'zero',
  ),
  channels: setting(z.array(channelSchema).default([]), {
    doc: 'notification channels (see below)',
  }),
  grafanaUrl: setting(z.url({ protocol: /^https?$/ }).optional(), {
    env: 'VIGIL_GRAFANA_URL',
    doc: 'links to Grafana in messages',
  }),
  notifyExpiryMs: duration('h', 24, {
    env: 'VIGIL_NOTIFY_EXPIRY_HOURS',
    file: 'notifyExpiryHours',
    doc: 'a message not delivered by then is given up, logged and counted',
  }),
  notifyDedupeMs: duration('s', 300, {
    env: 'VIGIL_NOTIFY_DEDUPE_SECONDS',
    file: 'notifyDedupeSeconds',
    doc: 'the same message (same key) again within this window is dropped',
  }),
  notifyGroupMs: duration(
    's',
    2,
    {
      env: 'VIGIL_NOTIFY_GROUP_SECONDS',
      file: 'notifyGroupSeconds',
      doc: 'right after a message, others to the same channel wait this long and go as one',
    },
    'zero',
  ),
  notifyRetryMs: duration('s', 5, {
    env: 'VIGIL_NOTIFY_RETRY_SECONDS',
    file: 'notifyRetrySeconds',
    doc: 'the first retry of a failed delivery, doubling up to the cap',
  }),
  notifyRetryMaxMs: duration('s', 600, {
    env: 'VIGIL_NOTIFY_RETRY_MAX_SECONDS',
    file: 'notifyRetryMaxSeconds',
    doc: "the cap of a failed delivery's retry delay",
  }),
  alertContainerLabels: setting(
    z.union([commaList, z.array(z.string().min(1))]).default(['container', 'name', 'container_name', 'id']),
    { env: 'VIGIL_ALERT_CONTAINER_LABELS', doc: 'alert labels that name a container, in order of preference' },
  ),
  alertInstance: setting(z.string().min(1).max(1000).optional(), {
    env: 'VIGIL_ALERT_INSTANCE',
    doc: "regex (anchored) an alert's `instance` must match before vigil acts on a container the alert names only by name; set it when one Alertmanager serves several hosts",
    shownDefault: 'any',
  }),
  alertExpiryMs: duration('h', 24, {
    env: 'VIGIL_ALERT_EXPIRY_HOURS',
    file: 'alertExpiryHours',
    doc: 'a firing alert Alertmanager has not sent again for this long (and past its `endsAt`) is closed as expired',
  }),
  alertResendMs: duration('s', 60, {
    env: 'VIGIL_ALERT_RESEND_SECONDS',
    file: 'alertResendSeconds',
    doc: "with `VIGIL_ALERTMANAGER_URL`, vigil's own alerts are sent again this often, their `endsAt` four resends ahead",
  }),
  spikeCpuWarn: setting(percentLine.default(80), {
    env: 'VIGIL_SPIKE_CPU_WARN',
    doc: "CPU spike warning line, percent of the container's limit (of one core when unlimited)",
    unit: '%',
  }),
  spikeCpuCrit: setting(percentLine.default(90), {
    env: 'VIGIL_SPIKE_CPU_CRIT',
    doc: 'CPU spike critical line, as the warning line',
    unit: '%',
  }),
  spikeMemoryWarn: setting(percentLine.default(80), {
    env: 'VIGIL_SPIKE_MEMORY_WARN',
    doc: "memory spike warning line, percent of the container's limit",
    unit: '%',
  }),
  spikeMemoryCrit: setting(percentLine.default(90), {
    env: 'VIGIL_SPIKE_MEMORY_CRIT',
    doc: 'memory spike critical line, as the warning line',
    unit: '%',
  }),
  spikeForMs: duration('s', 120, {
    env: 'VIGIL_SPIKE_FOR_SECONDS',
    file: 'spikeForSeconds',
    doc: 'how long a spike (and its end) must last before it is told',
  }),
  // `auto`: vigil's spikes are told when no Alertmanager is configured, whose CPU and memory rules arrive as alerts
  spikeNotify: setting(z.enum(['auto', 'always', 'never']).default('auto'), {
    env: 'VIGIL_SPIKE_NOTIFY',
    doc: "vigil's spikes (containers' and the host's) to the channels: `auto` (only without Alertmanager), `always`, `never`",
  }),
  queueWarn: setting(z.coerce.number().int().min(1).max(10_000_000).default(100), {
    env: 'VIGIL_QUEUE_WARN',
    doc: 'notifications pending in the outbox past which vigil warns (an event, a vigil alert `VigilNotificationQueue`, a notification); the shipped rules use the default',
  }),
  queueCritical: setting(z.coerce.number().int().min(1).max(10_000_000).default(200), {
    env: 'VIGIL_QUEUE_CRITICAL',
    doc: 'notifications pending in the outbox past which vigil goes critical; the shipped rules use the default',
  }),
  readyMemoryPercent: setting(z.coerce.number().gt(0).max(100).default(90), {
    env: 'VIGIL_READY_MEMORY_PERCENT',
    doc: "`/health/ready` is `unhealthy` while vigil's RSS is over this percent of its own cgroup's memory limit (the host's memory without one)",
    unit: '%',
  }),
  incidentQuietMs: duration('s', 60, {
    env: 'VIGIL_INCIDENT_QUIET_SECONDS',
    file: 'incidentQuietSeconds',
    doc: 'healthy and quiet this long (running, not unhealthy, no resource over its line, no new trouble) closes an incident',
  }),
  reportQuietMs: duration('m', 60, {
    env: 'VIGIL_REPORT_QUIET_MINUTES',
    file: 'reportQuietMinutes',
    doc: 'a problem vigil will not or cannot fix is reported again when it comes back after this long without it',
  }),
  streamsMax: setting(z.coerce.number().int().min(1).max(100_000).default(64), {
    env: 'VIGIL_STREAMS_MAX',
    doc: 'open SSE (and WebSocket) streams in total; past it 429 with `Retry-After`',
  }),
  streamsPerClient: setting(z.coerce.number().int().min(1).max(10_000).default(8), {
    env: 'VIGIL_STREAMS_PER_CLIENT',
    doc: 'open streams per client address; past it 429 with `Retry-After`',
  }),
  streamsMemoryMb: setting(z.coerce.number().min(1).max(4096).default(32), {
    env: 'VIGIL_STREAMS_MEMORY_MB',
    doc: 'memory buffered for all stream clients together; past it the stream holding the most is cut (a quarter of it per stream at most)',
    unit: 'MB',
  }),
  webhookMaxBytes: setting(
    z.coerce
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024),
    { env: 'VIGIL_WEBHOOK_MAX_BYTES', doc: 'the largest webhook body accepted', unit: 'bytes' },
  ),
};

export type SettingKey = keyof typeof settings;
export interface SettingDefinition extends SettingDoc {
  key: SettingKey;
  schema: z.ZodType;
}

/** Every setting with its doc, in order. */
export const settingDefinitions: readonly SettingDefinition[] = (Object.keys(settings) as SettingKey[]).map((key) => {
  const doc = settingDocs.get(settings[key]);
  if (!doc) throw new Error(`setting ${key} has no doc`);
  return { key, schema: settings[key], ...doc };
});

// strict: a misspelt key is an error, not a silently ignored setting
export const configSchema = z.strictObject(settings).transform((c, ctx) => {
  const listen = c.listen ?? (c.apiToken ? '0.0.0.0:9323' : '127.0.0.1:9323');
  const { host, port } = splitHostPort(listen);
  if (port > 65535) ctx.addIssue({ code: 'custom', path: ['listen'], message: `port ${port} is out of range` });
  if (!c.apiToken && !isLoopback(host)) {
    ctx.addIssue({
      code: 'custom',
      path: ['listen'],
      message: `${listen} is not a loopback address and VIGIL_API_TOKEN is not set: the API serves container logs and actions, so without a token vigil listens on loopback only`,
    });
  }
  if (c.alertInstance !== undefined) {
    try {
      new RegExp(c.alertInstance);
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        path: ['alertInstance'],
        message: `not a regular expression: ${(err as Error).message}`,
      });
    }
  }
  const cronProblem = cronExpressionProblem(c.sweepCron);
  if (cronProblem)
    ctx.addIssue({
      code: 'custom',
      path: ['sweepCron'],
      message: `"${c.sweepCron}" is not a cron expression: ${cronProblem}`,
    });
  const channelNames = new Set<string>();
  for (const [i, channel] of c.channels.entries()) {
    if (channelNames.has(channel.name))
      ctx.addIssue({
        code: 'custom',
        path: ['channels', i, 'name'],
        message: `channel name "${channel.name}" is used twice`,
      });
    channelNames.add(channel.name);
  }
  const seen = new Map<string, string>();
  for (const label of c.labels) {
    const prom = promLabelName(label);
    const other = seen.get(prom);
    if (other !== undefined && other !== label) {
      ctx.addIssue({
        code: 'custom',
        path: ['labels'],
        message: `"${other}" and "${label}" both become the Prometheus label ${prom}`,
      });
    }
    seen.set(prom, label);
  }
  return { ...c, listen: { host, port }, labels: [...new Set(c.labels)], webhookToken: c.webhookToken ?? c.apiToken };
});

export type { ChannelConfig } from './notify/channel-config.js';
export type Config = z.output<typeof configSchema>;

function splitHostPort(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  return { host: listen.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(listen.slice(i + 1)) };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** Pure: why croner refuses `expression` as a schedule, or null when it takes it. */
export function cronExpressionProblem(expression: string): string | null {
  try {
    const schedule = new Cron(expression, { paused: true });
    const next = schedule.nextRun();
    schedule.stop();
    // a schedule that never comes (31 February) would leave the safety net and the pruning unrun
    return next ? null : 'no time ever matches it';
  } catch (err) {
    return (err as Error).message;
  }
}
