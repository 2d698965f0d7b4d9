import {
  containerStates,
  type ContainerRecord,
  type ContainerState,
  type HealthCheckState,
  type HealthProbe,
} from '../types.js';

/** The subset of the engine's inspect JSON that vigil reads. */
export interface InspectJson {
  Id: string;
  Name: string;
  Created: string;
  Image: string;
  RestartCount?: number;
  State: {
    Status: string;
    Pid?: number;
    ExitCode?: number;
    OOMKilled?: boolean;
    Error?: string;
    StartedAt?: string;
    FinishedAt?: string;
    Health?: {
      Status: string;
      FailingStreak?: number;
      Log?: { Start: string; End: string; ExitCode: number; Output: string }[] | null;
    };
  };
  Config: { Image: string; Labels?: Record<string, string> | null; Tty?: boolean; Healthcheck?: { Test?: string[] } };
  HostConfig: {
    NetworkMode?: string;
    RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
    Memory?: number;
    NanoCpus?: number;
    CpuQuota?: number;
    CpuPeriod?: number;
  };
}

/** Go's zero time, which the engine prints for "never". */
export function parseEngineTime(value: string | undefined): Date | null {
  if (!value || value.startsWith('0001-01-01')) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

function parseState(status: string): ContainerState {
  return (containerStates as readonly string[]).includes(status) ? (status as ContainerState) : 'dead';
}

/**
 * CPU limit in cores: `--cpus` sets NanoCpus; `--cpu-quota/--cpu-period` set the CFS pair (period
 * defaults to 100 ms).
 */
export function cpuLimitCores(host: InspectJson['HostConfig']): number | null {
  if (host.NanoCpus && host.NanoCpus > 0) return host.NanoCpus / 1e9;
  if (host.CpuQuota && host.CpuQuota > 0)
    return host.CpuQuota / (host.CpuPeriod && host.CpuPeriod > 0 ? host.CpuPeriod : 100_000);
  return null;
}

function parseHealth(json: InspectJson): HealthCheckState | null {
  const h = json.State.Health;
  // ["NONE"] disables a healthcheck inherited from the image
  if (!h || json.Config.Healthcheck?.Test?.[0] === 'NONE') return null;
  const status = h.Status === 'healthy' || h.Status === 'unhealthy' || h.Status === 'starting' ? h.Status : 'starting';
  const log: HealthProbe[] = (h.Log ?? []).map((p) => ({
    start: new Date(p.Start),
    end: new Date(p.End),
    exitCode: p.ExitCode,
    output: p.Output,
  }));
  return { status, failingStreak: h.FailingStreak ?? 0, log };
}

export function parseInspect(json: InspectJson): ContainerRecord {
  const state = parseState(json.State.Status);
  const startedAt = parseEngineTime(json.State.StartedAt);
  return {
    id: json.Id,
    shortId: json.Id.slice(0, 12),
    name: json.Name.replace(/^\//, ''),
    image: json.Config.Image,
    imageId: json.Image,
    labels: json.Config.Labels ?? {},
    state,
    pid: json.State.Pid ?? 0,
    // a container that never ran has no exit code worth reporting
    exitCode: startedAt === null && state === 'created' ? null : (json.State.ExitCode ?? null),
    oomKilled: json.State.OOMKilled ?? false,
    error: json.State.Error ?? '',
    createdAt: new Date(json.Created),
    startedAt,
    finishedAt: parseEngineTime(json.State.FinishedAt),
    restartCount: json.RestartCount ?? 0,
    restartPolicy: {
      name: json.HostConfig.RestartPolicy?.Name || 'no',
      maximumRetryCount: json.HostConfig.RestartPolicy?.MaximumRetryCount ?? 0,
    },
    health: parseHealth(json),
    limits: {
      memoryBytes: json.HostConfig.Memory && json.HostConfig.Memory > 0 ? json.HostConfig.Memory : null,
      cpuCores: cpuLimitCores(json.HostConfig),
    },
    tty: json.Config.Tty ?? false,
    networkMode: json.HostConfig.NetworkMode ?? 'default',
  };
}
