import { isIP } from 'node:net';
import cron from 'node-cron';
import { z } from 'zod';
import { promLabelName } from './metrics/label-names.js';
import { channelSchema } from './notify/channel-config.js';

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
const percentLine = z.coerce.number().gt(0).max(10_000);

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
    /**
     * Host names vigil answers under besides its own (loopback, the machine's name, the listen address):
     * a reverse proxy's name; `*` accepts any. See src/http/request-guard.ts for the rule.
     */
    allowedHosts: z
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
    webhookToken: z.string().min(16, 'a token shorter than 16 characters is too easy to guess').optional(),
    statsSource: z.enum(['auto', 'cgroup', 'api']).default('auto'),
    labels: z.union([commaList, z.array(z.string().min(1))]).default(['forge.agent.type', 'forge.project.id']),
    autoheal: policyScope.default('labelled'),
    reconcileOnBoot: policyScope.default('all'),
    natsUrl: z
      .string()
      .regex(/^(nats|tls|ws|wss):\/\/.+/, 'expected nats://host:port')
      .optional(),
    /** One Alertmanager, or the peers of a cluster (comma-separated): a silence goes to the first that takes it. */
    alertmanagerUrl: z
      .union([commaList, z.array(z.string())])
      .pipe(z.array(z.url({ protocol: /^https?$/ })).min(1))
      .optional(),
    /** This host's name in payloads, NATS subjects, metrics and the page; resolved at start when unset. */
    host: z
      .string()
      .max(253)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-", starting with a letter or digit')
      .optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** How often the sampler sweeps every running container. */
    sampleIntervalSeconds: seconds.default(5),
    /** Where the host's cgroup tree and /proc are visible (mount them there when vigil runs in a container). */
    cgroupRoot: z.string().min(1).default('/sys/fs/cgroup'),
    procRoot: z.string().min(1).default('/proc'),
    /** Docker stats API calls in flight on the fallback path, at least: more when the interval needs them. */
    apiStatsConcurrency: z.coerce.number().int().min(1).max(256).default(8),
    /** Container inspections in flight at once when the inventory resynchronises. */
    inspectConcurrency: z.coerce.number().int().min(1).max(64).default(16),
    /** Container probes (vigil.probe.exec) running at once, across every probed container. */
    probeConcurrency: z.coerce.number().int().min(1).max(256).default(8),
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
    /** A container labelled vigil.cleanup=true that vigil gave up on is removed this long after. */
    cleanupAfterSeconds: z.coerce.number().int().min(0).default(600),
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
    /** Spike lines, percent of the container's limit (of one core for CPU when it has none). */
    spikeCpuWarn: percentLine.default(80),
    spikeCpuCrit: percentLine.default(90),
    spikeMemoryWarn: percentLine.default(80),
    spikeMemoryCrit: percentLine.default(90),
    /** How long a spike must last before it is reported (and a return to normal). */
    spikeForSeconds: seconds.default(120),
    /**
     * Whether vigil's own spikes go to the channels: `auto` only when no Alertmanager is configured
     * (its CPU and memory rules arrive as alerts and are told then), `always`, `never`.
     */
    spikeNotify: z.enum(['auto', 'always', 'never']).default('auto'),
    /** Outbox messages past which vigil warns, and goes critical (the shipped rules use the defaults). */
    queueWarn: z.coerce.number().int().min(1).max(10_000_000).default(100),
    queueCritical: z.coerce.number().int().min(1).max(10_000_000).default(200),
    /** Readiness is unhealthy while vigil's RSS is over this percent of its cgroup's limit (or the host's memory). */
    readyMemoryPercent: z.coerce.number().gt(0).max(100).default(90),
    /** An incident closes once its container has been running and not unhealthy, with no new trouble, this long. */
    incidentQuietSeconds: seconds.default(60),
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

export type { ChannelConfig } from './notify/channel-config.js';
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
