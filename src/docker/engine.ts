import Docker from 'dockerode';
import { Readable } from 'node:stream';
import { parseInspect, type InspectJson } from './parse/inspect.js';
import { parseStatsJson, type StatsJson } from './parse/stats-json.js';
import { sinceParam } from './parse/events.js';
import type { ContainerRecord, ResourceSample } from './types.js';

/** Everything vigil asks of the engine. The rest of vigil depends on this, never on dockerode. */
export interface ContainerEngine {
  ping(timeoutMs?: number): Promise<void>;
  info(): Promise<EngineInfo>;
  listContainerIds(): Promise<string[]>;
  /** Null when the container no longer exists. */
  inspect(id: string): Promise<ContainerRecord | null>;
  /** Container events as a byte stream of JSON lines, from `sinceNano` when given. */
  events(sinceNano: bigint | null, signal: AbortSignal): Promise<Readable>;
  /** One stats reading (no streaming, no 1 s priming wait); null when the container is gone or stopped. */
  statsOnce(id: string, hostMemoryBytes: number): Promise<ResourceSample | null>;
  /** The container's log stream with the engine's timestamps: multiplexed, or raw for a TTY container. */
  logs(id: string, options: LogOptions, signal: AbortSignal): Promise<Readable>;
}

export interface LogOptions {
  follow: boolean;
  /** A line count, or 'all'. */
  tail: number | 'all';
  /** Unix seconds; only lines from then on. */
  sinceSeconds?: number;
}

export interface EngineInfo {
  memTotalBytes: number;
  cpus: number;
  cgroupVersion: string;
  cgroupDriver: string;
  serverVersion: string;
}

/** DOCKER_HOST as Docker's own clients read it. */
export function dockerOptionsFromHost(dockerHost: string): Docker.DockerOptions {
  const url = new URL(dockerHost);
  if (url.protocol === 'unix:') return { socketPath: url.pathname };
  return {
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 2376 : 2375)),
    protocol: url.protocol === 'https:' ? 'https' : 'http',
  };
}

function isNotFound(err: unknown): boolean {
  return (err as { statusCode?: number }).statusCode === 404;
}

export class DockerodeEngine implements ContainerEngine {
  private readonly docker: Docker;

  constructor(dockerHost: string) {
    this.docker = new Docker(dockerOptionsFromHost(dockerHost));
  }

  async ping(timeoutMs = 2000): Promise<void> {
    // the typings omit ping's options, which dockerode passes on to the request
    const ping = this.docker.ping.bind(this.docker) as (opts: { abortSignal: AbortSignal }) => Promise<unknown>;
    await ping({ abortSignal: AbortSignal.timeout(timeoutMs) });
  }

  async info(): Promise<EngineInfo> {
    const info = await this.docker.info();
    return {
      memTotalBytes: info.MemTotal,
      cpus: info.NCPU,
      cgroupVersion: info.CgroupVersion ?? '1',
      cgroupDriver: info.CgroupDriver,
      serverVersion: info.ServerVersion,
    };
  }

  async listContainerIds(): Promise<string[]> {
    const list = await this.docker.listContainers({ all: true });
    return list.map((c) => c.Id);
  }

  async inspect(id: string): Promise<ContainerRecord | null> {
    try {
      const json = (await this.docker.getContainer(id).inspect()) as unknown as InspectJson;
      return parseInspect(json);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async events(sinceNano: bigint | null, signal: AbortSignal): Promise<Readable> {
    const options: Docker.GetEventsOptions & { abortSignal: AbortSignal } = {
      filters: { type: ['container'] },
      abortSignal: signal,
    };
    // the typings say number; the engine takes seconds with a nanosecond fraction
    if (sinceNano !== null) (options as { since?: unknown }).since = sinceParam(sinceNano);
    return (await this.docker.getEvents(options)) as Readable;
  }

  async statsOnce(id: string, hostMemoryBytes: number): Promise<ResourceSample | null> {
    try {
      const json = (await this.docker.getContainer(id).stats({ stream: false, 'one-shot': true } as { stream: false })) as unknown as StatsJson;
      // a stopped container answers with zeroed stats and no read time
      if (!json.read || json.read.startsWith('0001-01-01')) return null;
      return parseStatsJson(json, hostMemoryBytes);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async logs(id: string, options: LogOptions, signal: AbortSignal): Promise<Readable> {
    const result = (await this.docker.getContainer(id).logs({
      follow: options.follow as true,
      stdout: true,
      stderr: true,
      timestamps: true,
      tail: options.tail,
      ...(options.sinceSeconds !== undefined ? { since: options.sinceSeconds } : {}),
      abortSignal: signal,
    } as Docker.ContainerLogsOptions & { follow: true })) as unknown;
    // without follow, dockerode buffers the whole answer instead of streaming it
    return Buffer.isBuffer(result) ? Readable.from([result]) : (result as Readable);
  }
}
