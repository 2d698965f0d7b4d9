import './defer-modules.js';
import Docker from 'dockerode';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Readable } from 'node:stream';
import { boundedRead, ENGINE_READ_TIMEOUT_MS, streamSignal, timedOut } from './engine-timeouts.js';
import { execInContainer, type ExecOptions, type ExecOutcome } from './exec.js';
import { parseInspect, type InspectJson } from './parse/inspect.js';
import { parseStatsJson, type StatsJson } from './parse/stats-json.js';
import { secondsParam, sinceParam, subscribedActions } from './parse/events.js';
import { recreateSpec, type RecreateInspect } from './recreate-spec.js';
import type { ContainerRecord, EngineInfo, ResourceSample } from './types.js';
import { newConnectionVerdict, type NewConnectionVerdict } from './unreachable.js';

export type { EngineInfo };
export { ENGINE_READ_TIMEOUT_MS };

/** Everything vigil asks of the engine. The rest of vigil depends on this, never on dockerode. */
export interface ContainerEngine {
  ping(timeoutMs?: number): Promise<void>;
  /**
   * Pings over a connection of its own, never one kept alive: dockerd told to stop closes its listener
   * at once but goes on serving the connections it has (the event stream among them) while it stops
   * its containers, so only a new connection tells that it is shutting down.
   */
  probeNewConnection(timeoutMs?: number): Promise<NewConnectionVerdict>;
  info(): Promise<EngineInfo>;
  listContainerIds(): Promise<string[]>;
  /** Null when the container no longer exists. `signal` ends the call early (its client went). */
  inspect(id: string, signal?: AbortSignal): Promise<ContainerRecord | null>;
  /** Container events as a byte stream of JSON lines, from `sinceNano` when given. */
  events(sinceNano: bigint | null, signal: AbortSignal): Promise<Readable>;
  /** One stats reading (no streaming, no 1 s priming wait); null when the container is gone or stopped. */
  statsOnce(id: string, hostMemoryBytes: number): Promise<ResourceSample | null>;
  /**
   * The container's log stream with the engine's timestamps: multiplexed, or raw for a TTY container.
   * `signal` ends it at any time, before the engine has answered too.
   */
  logs(id: string, options: LogOptions, signal: AbortSignal): Promise<Readable>;
  /** Whether an image reference (as a container's Config.Image names it) resolves on the engine. */
  imageExists(ref: string): Promise<boolean>;
  /** Pulls an image; rejects with the engine's or the registry's own message. */
  pull(ref: string): Promise<void>;
  start(id: string): Promise<void>;
  /** Stops with the container's own stop timeout; a container already stopped is no error. */
  stop(id: string): Promise<void>;
  /** Restarts with the container's own stop timeout (its --stop-timeout, else the engine's 10 s). */
  restart(id: string): Promise<void>;
  /** `docker rm -f`: the cleanup of a container vigil gave up on. */
  removeContainer(id: string): Promise<void>;
  /**
   * Replaces a container by a new one from the same configuration (name, labels, env, mounts, network,
   * restart policy, healthcheck); returns the new id. `networkMode` replaces the old one's (a sidecar
   * joining the namespace of its recreated container).
   */
  recreate(id: string, overrides?: { networkMode?: string }): Promise<string>;
  /**
   * Runs a command in a running container (the engine's exec API, no shell), ended at its timeout:
   * the label-declared exec probes. Absent on an engine that cannot (tests of other parts).
   */
  exec?(id: string, argv: readonly string[], options: ExecOptions): Promise<ExecOutcome>;
}

export interface LogOptions {
  follow: boolean;
  /** A line count, or 'all'. */
  tail: number | 'all';
  /** Unix seconds; only lines from then on. */
  sinceSeconds?: number;
}

/**
 * A dockerode client for DOCKER_HOST, read exactly as Docker's own clients read it (unix and tcp, TLS
 * with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, ssh): docker-modem does that from the environment, so
 * the host vigil was configured with is put there for the moment the client is made.
 */
export function dockerFor(dockerHost: string): Docker {
  const saved = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = dockerHost;
  try {
    return new Docker();
  } finally {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  }
}

function isNotFound(err: unknown): boolean {
  return (err as { statusCode?: number }).statusCode === 404;
}

/** An agent that dials anew for every request and remembers whether a connection was made. */
function dialingAgent(protocol: string | undefined): HttpAgent & { connected: boolean } {
  const agent = (
    protocol === 'https' ? new HttpsAgent({ keepAlive: false }) : new HttpAgent({ keepAlive: false })
  ) as HttpAgent & {
    connected: boolean;
  };
  agent.connected = false;
  const dial = agent.createConnection.bind(agent);
  agent.createConnection = (options, callback) => {
    const socket = dial(options, callback);
    socket?.once('connect', () => (agent.connected = true));
    return socket;
  };
  return agent;
}

export class DockerodeEngine implements ContainerEngine {
  private readonly docker: Docker;

  constructor(
    dockerHost: string,
    private readonly readTimeoutMs = ENGINE_READ_TIMEOUT_MS,
  ) {
    this.docker = dockerFor(dockerHost);
  }

  /** Runs one bounded read; the typings omit the abortSignal option dockerode passes on to the request. */
  private read<T>(call: (opts: { abortSignal: AbortSignal }) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return boundedRead(call, signal, this.readTimeoutMs);
  }

  async ping(timeoutMs = 2000): Promise<void> {
    // the typings omit ping's options, which dockerode passes on to the request
    const ping = this.docker.ping.bind(this.docker) as (opts: { abortSignal: AbortSignal }) => Promise<unknown>;
    await ping({ abortSignal: AbortSignal.timeout(timeoutMs) });
  }

  async probeNewConnection(timeoutMs = 5000): Promise<NewConnectionVerdict> {
    // the same client on a modem of its own, whose agent dials anew (ssh's dials anew already)
    const modem = Object.create(this.docker.modem) as { protocol?: string; agent?: HttpAgent };
    const agent = dialingAgent(modem.protocol);
    if (modem.protocol !== 'ssh') modem.agent = agent;
    const probe = Object.assign(Object.create(this.docker) as Docker, { modem });
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      await (probe.ping.bind(probe) as (opts: { abortSignal: AbortSignal }) => Promise<unknown>)({
        abortSignal: signal,
      });
      return 'accepted';
    } catch (err) {
      return newConnectionVerdict(err, { connected: agent.connected, timedOut: signal.aborted });
    } finally {
      agent.destroy();
    }
  }

  async info(): Promise<EngineInfo> {
    const info = await this.read((opts) =>
      (this.docker.info as (o: object) => ReturnType<Docker['info']>).call(this.docker, opts),
    );
    return {
      name: info.Name,
      memTotalBytes: info.MemTotal,
      cpus: info.NCPU,
      cgroupVersion: info.CgroupVersion ?? '1',
      cgroupDriver: info.CgroupDriver,
      serverVersion: info.ServerVersion,
    };
  }

  async listContainerIds(): Promise<string[]> {
    const list = await this.read((opts) => this.docker.listContainers({ all: true, ...opts }));
    return list.map((c) => c.Id);
  }

  async inspect(id: string, signal?: AbortSignal): Promise<ContainerRecord | null> {
    try {
      const container = this.docker.getContainer(id);
      const json = (await this.read((opts) => container.inspect(opts), signal)) as unknown as InspectJson;
      return parseInspect(json);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async events(sinceNano: bigint | null, signal: AbortSignal): Promise<Readable> {
    // a hung engine that never answers would hold the reconnection forever; the stream itself may last
    const dial = streamSignal(signal, this.readTimeoutMs);
    const options: Docker.GetEventsOptions & { abortSignal: AbortSignal } = {
      filters: { type: ['container'], event: [...subscribedActions] },
      abortSignal: dial.signal,
    };
    // the typings say number; the engine takes seconds with a nanosecond fraction
    if (sinceNano !== null) (options as { since?: unknown }).since = sinceParam(sinceNano);
    try {
      return (await this.docker.getEvents(options)) as Readable;
    } catch (err) {
      throw timedOut(err, dial.signal, this.readTimeoutMs);
    } finally {
      dial.answered();
    }
  }

  async statsOnce(id: string, hostMemoryBytes: number): Promise<ResourceSample | null> {
    try {
      const container = this.docker.getContainer(id);
      const once = { stream: false, 'one-shot': true } as { stream: false };
      const json = (await this.read((opts) => container.stats({ ...once, ...opts }))) as unknown as StatsJson;
      // a stopped container answers with zeroed stats and no read time
      if (!json.read || json.read.startsWith('0001-01-01')) return null;
      return parseStatsJson(json, hostMemoryBytes);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async logs(id: string, options: LogOptions, signal: AbortSignal): Promise<Readable> {
    // dialled as a stream whether or not it follows: dockerode's own logs() reads a finished log
    // whole into memory first, which for a large log is gigabytes. The read timeout bounds the wait
    // for the engine's answer only, never the stream that follows it.
    const dial = streamSignal(signal, this.readTimeoutMs);
    return new Promise<Readable>((resolve, reject) => {
      this.docker.modem.dial(
        {
          path: `/containers/${encodeURIComponent(id)}/logs?`,
          method: 'GET',
          abortSignal: dial.signal,
          isStream: true,
          statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
          options: {
            follow: options.follow,
            stdout: true,
            stderr: true,
            timestamps: true,
            tail: String(options.tail),
            ...(options.sinceSeconds !== undefined ? { since: secondsParam(options.sinceSeconds) } : {}),
          },
        },
        (err: Error | null, stream: unknown) => {
          dial.answered();
          if (err) reject(timedOut(err, dial.signal, this.readTimeoutMs));
          else resolve(stream as Readable);
        },
      );
    });
  }

  async imageExists(ref: string): Promise<boolean> {
    try {
      // dialled here: dockerode's Image.inspect does not pass an abort signal on
      // the name as dockerode puts it: a registry host and a path stay as they are
      const path = `/images/${ref}/json`;
      const statusCodes = { 200: true, 404: 'no such image', 500: 'server error' };
      await this.read(
        ({ abortSignal }) =>
          new Promise<void>((resolve, reject) =>
            this.docker.modem.dial({ path, method: 'GET', abortSignal, statusCodes }, (err: Error | null) =>
              err ? reject(err) : resolve(),
            ),
          ),
      );
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async pull(ref: string): Promise<void> {
    const stream = (await this.docker.pull(ref)) as Readable;
    // the engine reports a failed pull inside the progress stream, not as an HTTP error
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(stream, (err: Error | null, output: { error?: string }[]) => {
        const failed = err?.message ?? output.find((o) => o.error)?.error;
        if (failed) reject(new Error(failed));
        else resolve();
      });
    });
  }

  async start(id: string): Promise<void> {
    await this.docker.getContainer(id).start();
  }

  async stop(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).stop();
    } catch (err) {
      // 304: already stopped, which is what was asked
      if ((err as { statusCode?: number }).statusCode !== 304) throw err;
    }
  }

  async restart(id: string): Promise<void> {
    await this.docker.getContainer(id).restart();
  }

  async removeContainer(id: string): Promise<void> {
    await this.docker.getContainer(id).remove({ force: true });
  }

  exec(id: string, argv: readonly string[], options: ExecOptions): Promise<ExecOutcome> {
    return execInContainer(this.docker, id, argv, options);
  }

  async recreate(id: string, overrides: { networkMode?: string } = {}): Promise<string> {
    const old = this.docker.getContainer(id);
    const inspected = (await old.inspect()) as unknown as RecreateInspect;
    if (overrides.networkMode) inspected.HostConfig = { ...inspected.HostConfig, NetworkMode: overrides.networkMode };
    const spec = recreateSpec(inspected);
    const parked = `${spec.name}-vigil-replaced-${Date.now()}`;
    await old.rename({ name: parked });
    let created: Docker.Container;
    try {
      created = await this.docker.createContainer(spec.options);
    } catch (err) {
      await old.rename({ name: spec.name }).catch(() => undefined);
      throw err;
    }
    await old.remove({ force: true });
    await created.start();
    return created.id;
  }
}
