/** What vigil knows about one container, independent of how the engine spells it. */

export const containerStates = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'] as const;
export type ContainerState = (typeof containerStates)[number];

export const healthStatuses = ['healthy', 'unhealthy', 'starting', 'none'] as const;
export type HealthStatus = (typeof healthStatuses)[number];

export interface HealthProbe {
  start: Date;
  end: Date;
  exitCode: number;
  output: string;
}

export interface HealthCheckState {
  status: Exclude<HealthStatus, 'none'>;
  failingStreak: number;
  log: HealthProbe[];
}

export interface ContainerRecord {
  id: string;
  /** The 12-character short id Docker's CLI shows. */
  shortId: string;
  name: string;
  image: string;
  imageId: string;
  labels: Record<string, string>;
  state: ContainerState;
  pid: number;
  exitCode: number | null;
  oomKilled: boolean;
  error: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** The engine's own count of restarts made by the restart policy. */
  restartCount: number;
  restartPolicy: { name: string; maximumRetryCount: number };
  /** Null when the image defines no HEALTHCHECK (or it is disabled). */
  health: HealthCheckState | null;
  limits: { memoryBytes: number | null; cpuCores: number | null };
  tty: boolean;
  /** HostConfig.NetworkMode: `container:<id>` when it lives in another container's network namespace. */
  networkMode: string;
}

/** One reading of a running container's resources; counters are cumulative since the container started. */
export interface ResourceSample {
  cpuSeconds: number;
  memoryUsageBytes: number;
  memoryWorkingSetBytes: number;
  /** The cgroup's limit, or null when the kernel reports it as unlimited. */
  memoryLimitBytes: number | null;
  networkRxBytes: number;
  networkTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
  pids: number;
}

export type ContainerEventAction =
  | 'create'
  | 'start'
  | 'restart'
  | 'stop'
  | 'kill'
  | 'die'
  | 'oom'
  | 'pause'
  | 'unpause'
  | 'destroy'
  | 'rename'
  | 'update'
  | 'health_status';

export interface ContainerEvent {
  id: string;
  action: ContainerEventAction;
  /** For health_status: the new status. */
  healthStatus?: Exclude<HealthStatus, 'none'>;
  exitCode?: number;
  signal?: number;
  name: string;
  /** The engine's attributes: the container's labels, image, name (and exitCode, signal where they apply). */
  attributes: Record<string, string>;
  timeNano: bigint;
}

/** What vigil reads of `docker info`. */
export interface EngineInfo {
  /** The engine's host name (`docker info` Name). */
  name: string;
  memTotalBytes: number;
  cpus: number;
  cgroupVersion: string;
  cgroupDriver: string;
  serverVersion: string;
}
