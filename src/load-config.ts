import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { configSchema, type Config, type ConfigInput } from './config.js';

// Where the configuration comes from: an optional file (VIGIL_CONFIG), then the environment, which wins.

/** Environment variable → schema key. Variables win over the file. */
const envNames: Record<string, keyof ConfigInput> = {
  VIGIL_LISTEN: 'listen',
  DOCKER_HOST: 'dockerHost',
  VIGIL_DATA_DIR: 'dataDir',
  VIGIL_API_TOKEN: 'apiToken',
  VIGIL_ALLOWED_HOSTS: 'allowedHosts',
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
  VIGIL_PROBE_CONCURRENCY: 'probeConcurrency',
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
  VIGIL_CLEANUP_AFTER_SECONDS: 'cleanupAfterSeconds',
  VIGIL_GRAFANA_URL: 'grafanaUrl',
  VIGIL_NOTIFY_EXPIRY_HOURS: 'notifyExpiryHours',
  VIGIL_NOTIFY_DEDUPE_SECONDS: 'notifyDedupeSeconds',
  VIGIL_NOTIFY_GROUP_SECONDS: 'notifyGroupSeconds',
  VIGIL_NOTIFY_RETRY_SECONDS: 'notifyRetrySeconds',
  VIGIL_NOTIFY_RETRY_MAX_SECONDS: 'notifyRetryMaxSeconds',
  VIGIL_ALERT_CONTAINER_LABELS: 'alertContainerLabels',
  VIGIL_WEBHOOK_MAX_BYTES: 'webhookMaxBytes',
  VIGIL_ALERT_INSTANCE: 'alertInstance',
  VIGIL_HOST: 'host',
  VIGIL_ALERT_EXPIRY_HOURS: 'alertExpiryHours',
  VIGIL_SPIKE_CPU_WARN: 'spikeCpuWarn',
  VIGIL_SPIKE_CPU_CRIT: 'spikeCpuCrit',
  VIGIL_SPIKE_MEMORY_WARN: 'spikeMemoryWarn',
  VIGIL_SPIKE_MEMORY_CRIT: 'spikeMemoryCrit',
  VIGIL_SPIKE_FOR_SECONDS: 'spikeForSeconds',
  VIGIL_SPIKE_NOTIFY: 'spikeNotify',
  VIGIL_INCIDENT_QUIET_SECONDS: 'incidentQuietSeconds',
  VIGIL_REPORT_QUIET_MINUTES: 'reportQuietMinutes',
  VIGIL_STREAMS_MAX: 'streamsMax',
  VIGIL_QUEUE_WARN: 'queueWarn',
  VIGIL_QUEUE_CRITICAL: 'queueCritical',
  VIGIL_READY_MEMORY_PERCENT: 'readyMemoryPercent',
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
    // YAML is a superset of JSON, so one parser reads both; loaded only when there is a file to read
    const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    file = parse(text);
  } catch (err) {
    throw new ConfigError([`VIGIL_CONFIG: ${path} is not valid YAML or JSON: ${(err as Error).message}`]);
  }
  if (file !== null && (typeof file !== 'object' || Array.isArray(file))) {
    throw new ConfigError([`VIGIL_CONFIG: ${path} must hold a mapping of settings`]);
  }
  return parseConfig(env, (file ?? {}) as Record<string, unknown>);
}
