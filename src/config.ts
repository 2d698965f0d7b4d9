import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import cron from 'node-cron';
import { z } from 'zod';

/** Prometheus label names allow [a-zA-Z_][a-zA-Z0-9_]*; a Docker label becomes `label_<sanitized>`. */
export function promLabelName(dockerLabel: string): string {
  return `label_${dockerLabel.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

const commaList = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0),
);

const seconds = z.coerce.number().positive();

const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:9323');

const policyScope = z.enum(['all', 'labelled', 'off']);

export const severities = ['info', 'warning', 'critical'] as const;
export const notifyEvents = ['unhealthy', 'crash', 'oom', 'alert', 'recovered', 'gave_up', 'boot_recovery'] as const;

const channelCommon = {
  name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/, 'a channel name is letters, digits, _ . - (up to 63)'),
  /** The events this channel wants; all when absent. */
  events: z.array(z.enum(notifyEvents)).min(1).optional(),
  minSeverity: z.enum(severities).default('info'),
  /** Messages per minute at most; the rest wait in the outbox. */
  ratePerMinute: z.number().int().min(1).max(10_000).default(30),
};

export const channelSchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...channelCommon,
    type: z.literal('email'),
    smtp: z.strictObject({
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535).default(587),
      /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
      secure: z.boolean().default(false),
      requireTLS: z.boolean().default(false),
      /** Accept a self-signed certificate (an internal relay); off by default. */
      allowSelfSigned: z.boolean().default(false),
      user: z.string().optional(),
      pass: z.string().optional(),
    }),
    from: z.string().min(3),
    to: z.array(z.email()).min(1),
  }),
  z.strictObject({
    ...channelCommon,
    type: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/ }),
    /** HMAC-SHA256 of the body, sent as X-Vigil-Signature: sha256=<hex>. */
    secret: z.string().min(8).optional(),
    headers: z.record(z.string(), z.string()).optional(),
  }),
  z.strictObject({ ...channelCommon, type: z.literal('slack'), url: z.url({ protocol: /^https?$/ }) }),
]);
export type ChannelConfig = z.output<typeof channelSchema>;

// strict: a misspelt key in the file is an error, not a silently ignored setting
export const configSchema = z
  .strictObject({
    listen: hostPort.optional(),
    dockerHost: z
      .string()
      .regex(/^(unix|tcp|http|https):\/\/.+/, 'expected unix:///path or tcp://host:port')
      .default('unix:///var/run/docker.sock'),
    dataDir: z.string().min(1).default('./data'),
    apiToken: z.string().min(16, 'a token shorter than 16 characters is too easy to guess').optional(),
    webhookToken: z.string().min(16, 'a token shorter than 16 characters is too easy to guess').optional(),
    statsSource: z.enum(['auto', 'cgroup', 'api']).default('auto'),
    labels: z.union([commaList, z.array(z.string().min(1))]).default(['forge.agent.type', 'forge.project.id']),
    autoheal: policyScope.default('labelled'),
    reconcileOnBoot: policyScope.default('all'),
    natsUrl: z
      .string()
      .regex(/^(nats|tls|ws|wss):\/\/.+/, 'expected nats://host:port')
      .optional(),
    alertmanagerUrl: z.url({ protocol: /^https?$/ }).optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** How often the sampler sweeps every running container. */
    sampleIntervalSeconds: seconds.default(5),
    /** Where the host's cgroup tree and /proc are visible (mount them there when vigil runs in a container). */
    cgroupRoot: z.string().min(1).default('/sys/fs/cgroup'),
    procRoot: z.string().min(1).default('/proc'),
    /** Docker stats API calls in flight at once on the fallback path. */
    apiStatsConcurrency: z.coerce.number().int().min(1).max(64).default(8),
    /** Container inspections in flight at once when the inventory resynchronises. */
    inspectConcurrency: z.coerce.number().int().min(1).max(64).default(16),
    /** Comment lines on idle SSE streams, so that proxies do not drop them. */
    sseHeartbeatSeconds: seconds.default(15),
    /** The largest `tail` a log request may ask for (besides `all`), and the tail when it asks none. */
    logsTailMax: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
    logsDefaultTail: z.coerce.number().int().min(0).max(1_000_000).default(100),
    /** Events kept for clients of /api/v1/events that reconnect with Last-Event-ID. */
    eventBufferSize: z.coerce.number().int().min(10).max(1_000_000).default(1000),
    /** How often docker.container.health.all and docker.container.stats are published. */
    natsIntervalSeconds: seconds.default(10),
    /** Recovery backoff: first delay, cap, and the healthy run that forgives earlier attempts. */
    backoffBaseSeconds: seconds.default(10),
    backoffMaxSeconds: seconds.default(300),
    backoffResetSeconds: seconds.default(600),
    /** Recovery actions on one container that may fail before vigil gives up on it. */
    recoveryMaxAttempts: z.coerce.number().int().min(1).max(1000).default(5),
    /** Recovery actions in flight at once, so that a mass failure does not stampede the engine. */
    recoveryConcurrency: z.coerce.number().int().min(1).max(64).default(4),
    /** After the engine or vigil starts, the time the engine's own restart policies get before vigil acts. */
    bootGraceSeconds: z.coerce.number().min(0).default(5),
    /** Kills seen this long before the engine goes away are its shutdown, not a user's stop. */
    engineShutdownWindowSeconds: seconds.default(30),
    /** node-cron expression of the safety-net sweep over every container (and history pruning). */
    sweepCron: z.string().min(9).default('* * * * *'),
    /** Days of history kept. */
    historyDays: z.coerce.number().int().min(1).max(3650).default(30),
    /** Notification channels (only in the file). */
    channels: z.array(channelSchema).default([]),
    /** Links in messages, when set. */
    grafanaUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** A notification not delivered within this many hours is given up (and counted). */
    notifyExpiryHours: seconds.default(24),
    /** The same message (same key) again within this window is dropped. */
    notifyDedupeSeconds: seconds.default(300),
    /** Messages about several containers within this window are sent as one. */
    notifyGroupSeconds: z.coerce.number().min(0).default(2),
    /** First retry delay of a failed delivery, doubling up to the cap. */
    notifyRetrySeconds: seconds.default(5),
    notifyRetryMaxSeconds: seconds.default(600),
    /** Alert labels that name the container an alert is about, in order of preference. */
    alertContainerLabels: z
      .union([commaList, z.array(z.string().min(1))])
      .default(['container', 'name', 'container_name', 'id']),
    /** A regex (anchored) an alert's `instance` must match before vigil acts on a container it names only by name. */
    alertInstance: z.string().min(1).max(1000).optional(),
    /** A firing alert Alertmanager has not sent again for this long, and past its endsAt, is closed as expired. */
    alertExpiryHours: seconds.default(24),
    /** A problem vigil cannot fix is reported again when it comes back after this long without it. */
    reportQuietMinutes: seconds.default(60),
    /** Open SSE (and WebSocket) streams: in total, per client address, and the memory buffered for all of them. */
    streamsMax: z.coerce.number().int().min(1).max(100_000).default(64),
    streamsPerClient: z.coerce.number().int().min(1).max(10_000).default(8),
    streamsMemoryMb: z.coerce.number().min(1).max(4096).default(32),
    /** The largest webhook body accepted. */
    webhookMaxBytes: z.coerce
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024),
  })
  .transform((c, ctx) => {
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
    if (!cron.validate(c.sweepCron))
      ctx.addIssue({ code: 'custom', path: ['sweepCron'], message: `"${c.sweepCron}" is not a cron expression` });
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

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

function splitHostPort(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  return { host: listen.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(listen.slice(i + 1)) };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** Environment variable → schema key. Variables win over the file. */
const envNames: Record<string, keyof ConfigInput> = {
  VIGIL_LISTEN: 'listen',
  DOCKER_HOST: 'dockerHost',
  VIGIL_DATA_DIR: 'dataDir',
  VIGIL_API_TOKEN: 'apiToken',
  VIGIL_WEBHOOK_TOKEN: 'webhookToken',
  VIGIL_STATS_SOURCE: 'statsSource',
  VIGIL_LABELS: 'labels',
  VIGIL_AUTOHEAL: 'autoheal',
  VIGIL_RECONCILE_ON_BOOT: 'reconcileOnBoot',
  VIGIL_NATS_URL: 'natsUrl',
  VIGIL_ALERTMANAGER_URL: 'alertmanagerUrl',
  VIGIL_LOG_LEVEL: 'logLevel',
  VIGIL_SAMPLE_INTERVAL_SECONDS: 'sampleIntervalSeconds',
  VIGIL_CGROUP_ROOT: 'cgroupRoot',
  VIGIL_PROC_ROOT: 'procRoot',
  VIGIL_API_STATS_CONCURRENCY: 'apiStatsConcurrency',
  VIGIL_INSPECT_CONCURRENCY: 'inspectConcurrency',
  VIGIL_SSE_HEARTBEAT_SECONDS: 'sseHeartbeatSeconds',
  VIGIL_LOGS_TAIL_MAX: 'logsTailMax',
  VIGIL_LOGS_DEFAULT_TAIL: 'logsDefaultTail',
  VIGIL_EVENT_BUFFER: 'eventBufferSize',
  VIGIL_NATS_INTERVAL_SECONDS: 'natsIntervalSeconds',
  VIGIL_BACKOFF_BASE_SECONDS: 'backoffBaseSeconds',
  VIGIL_BACKOFF_MAX_SECONDS: 'backoffMaxSeconds',
  VIGIL_BACKOFF_RESET_SECONDS: 'backoffResetSeconds',
  VIGIL_RECOVERY_MAX_ATTEMPTS: 'recoveryMaxAttempts',
  VIGIL_RECOVERY_CONCURRENCY: 'recoveryConcurrency',
  VIGIL_BOOT_GRACE_SECONDS: 'bootGraceSeconds',
  VIGIL_ENGINE_SHUTDOWN_WINDOW_SECONDS: 'engineShutdownWindowSeconds',
  VIGIL_SWEEP_CRON: 'sweepCron',
  VIGIL_HISTORY_DAYS: 'historyDays',
  VIGIL_GRAFANA_URL: 'grafanaUrl',
  VIGIL_NOTIFY_EXPIRY_HOURS: 'notifyExpiryHours',
  VIGIL_NOTIFY_DEDUPE_SECONDS: 'notifyDedupeSeconds',
  VIGIL_NOTIFY_GROUP_SECONDS: 'notifyGroupSeconds',
  VIGIL_NOTIFY_RETRY_SECONDS: 'notifyRetrySeconds',
  VIGIL_NOTIFY_RETRY_MAX_SECONDS: 'notifyRetryMaxSeconds',
  VIGIL_ALERT_CONTAINER_LABELS: 'alertContainerLabels',
  VIGIL_WEBHOOK_MAX_BYTES: 'webhookMaxBytes',
  VIGIL_ALERT_INSTANCE: 'alertInstance',
  VIGIL_ALERT_EXPIRY_HOURS: 'alertExpiryHours',
  VIGIL_REPORT_QUIET_MINUTES: 'reportQuietMinutes',
  VIGIL_STREAMS_MAX: 'streamsMax',
  VIGIL_STREAMS_PER_CLIENT: 'streamsPerClient',
  VIGIL_STREAMS_MEMORY_MB: 'streamsMemoryMb',
};
const keyToEnv = Object.fromEntries(Object.entries(envNames).map(([env, key]) => [key, env]));

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Pure: merges file values and environment (environment wins) and validates, listing every problem at once. */
export function parseConfig(env: NodeJS.ProcessEnv, file: Record<string, unknown> = {}): Config {
  const raw: Record<string, unknown> = { ...file };
  for (const [name, key] of Object.entries(envNames)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? '');
        const path = issue.path.map(String).join('.');
        const where = key ? (keyToEnv[key] ? `${keyToEnv[key]} (${key})` : path) : 'configuration';
        return `${where}: ${issue.message}`;
      }),
    );
  }
  return result.data;
}

/** Reads the optional file named by VIGIL_CONFIG (YAML or JSON), then the environment. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const path = env.VIGIL_CONFIG;
  if (!path) return parseConfig(env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`VIGIL_CONFIG: cannot read ${path}: ${(err as Error).message}`]);
  }
  let file: unknown;
  try {
    file = parseYaml(text); // YAML is a superset of JSON, so one parser reads both
  } catch (err) {
    throw new ConfigError([`VIGIL_CONFIG: ${path} is not valid YAML or JSON: ${(err as Error).message}`]);
  }
  if (file !== null && (typeof file !== 'object' || Array.isArray(file))) {
    throw new ConfigError([`VIGIL_CONFIG: ${path} must hold a mapping of settings`]);
  }
  return parseConfig(env, (file ?? {}) as Record<string, unknown>);
}
