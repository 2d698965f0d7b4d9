import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import type { ContainerEngine, EngineInfo } from '../../src/docker/engine.js';
import type { ContainerRecord, ResourceSample } from '../../src/docker/types.js';
import type { NewConnectionVerdict } from '../../src/docker/unreachable.js';

export interface EngineCall {
  method: 'start' | 'stop' | 'restart' | 'recreate' | 'pull' | 'remove';
  id: string;
  at: number;
}

/** One line a container's process writes. */
export interface LogWrite {
  stream: 'stdout' | 'stderr';
  message: string;
}

/** What a container's process does each time it is started. */
export type Behaviour = { kind: 'runs' } | { kind: 'exits'; code: number; afterMs: number };

/**
 * An in-memory Docker engine for unit tests: containers, their state and the event stream, in the
 * engine's own JSON shapes, driven by the (fake) clock. It records every call vigil makes. Integration
 * tests use the real engine; this one makes races, backoff and boot plans testable in milliseconds.
 */
export class FakeEngine implements ContainerEngine {
  readonly calls: EngineCall[] = [];
  private readonly containers = new Map<string, ContainerRecord>();
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly exitTimers = new Map<string, NodeJS.Timeout>();
  private readonly streams = new Set<PassThrough>();
  /** What each container's process writes when it starts, and the log kept of it, framed as the engine does. */
  private readonly startLines = new Map<string, LogWrite[]>();
  private readonly logFrames = new Map<string, Buffer[]>();
  private up = true;
  /** False from the moment the engine is told to stop: new connections are refused, the ones it has served. */
  private accepting = true;
  /**
   * The socket is held by another process, as systemd's docker.socket is: while the engine closes, a new
   * connection is made all the same and never answered, until the probe's timeout (5 s).
   */
  socketHeld = false;
  private lastNano = 0n;
  /** How long each inspection takes: a busy engine answers late. */
  inspectDelayMs = 0;
  /** Inspections wait on this while it is set (holdInspections): an engine that answers when a test says. */
  private inspectionsHeld: Promise<void> | null = null;
  /** Ids whose next start fails with this message. */
  readonly failStarts = new Map<string, string>();
  /** The engine's memory of its events, replayed to a stream opened with `since` (as dockerd's is). */
  private readonly eventLog: { nano: bigint; line: string }[] = [];
  /** Calls left hanging until the engine crashes (hangCalls), then failing as dockerode's do. */
  private readonly hanging = new Set<(err: Error) => void>();
  /** While true, restart and start calls hang until crash(). */
  hangCalls = false;
  /**
   * How long a restart waits for the process to end on SIGTERM before it kills it (as for busybox
   * `sleep` as PID 1, which ignores SIGTERM, under `--stop-timeout`); 0: it ends at once.
   */
  stopTimeoutMs = 0;
  /** How long a restart takes from the old process's end to the new one's start (a busy engine starts late). */
  restartGapMs = 0;

  /** Creates and starts a container; returns its id. */
  run(
    name: string,
    options: {
      labels?: Record<string, string>;
      restartPolicy?: string;
      behaviour?: Behaviour;
      /** Lines the process writes each time it starts. */
      logs?: LogWrite[];
    } = {},
  ): string {
    const id = this.create(name, options);
    this.begin(id);
    return id;
  }

  /** `docker create`: a container that has never run; returns its id. */
  create(
    name: string,
    options: { labels?: Record<string, string>; restartPolicy?: string; behaviour?: Behaviour; logs?: LogWrite[] } = {},
  ): string {
    const id = randomBytes(32).toString('hex');
    const now = new Date(Date.now());
    this.containers.set(id, {
      id,
      shortId: id.slice(0, 12),
      name,
      image: 'vigil-test:latest',
      imageId: 'sha256:0',
      labels: options.labels ?? {},
      state: 'created',
      pid: 0,
      exitCode: null,
      oomKilled: false,
      error: '',
      createdAt: now,
      startedAt: null,
      finishedAt: null,
      restartCount: 0,
      restartPolicy: { name: options.restartPolicy ?? 'no', maximumRetryCount: 0 },
      health: null,
      limits: { memoryBytes: null, cpuCores: null },
      tty: false,
      networkMode: 'none',
    });
    this.behaviours.set(id, options.behaviour ?? { kind: 'runs' });
    this.startLines.set(id, options.logs ?? []);
    this.emitEvent(id, 'create');
    return id;
  }

  /** `docker rename`. */
  rename(id: string, name: string): void {
    const oldName = this.get(id).name;
    this.get(id).name = name;
    this.emitEvent(id, 'rename', { oldName });
  }

  ids(): string[] {
    return [...this.containers.keys()];
  }

  get(id: string): ContainerRecord {
    const record = this.containers.get(id);
    if (!record) throw new Error(`no container ${id}`);
    return record;
  }

  /** The process exits on its own (a crash when code is not 0). */
  exit(id: string, code: number): void {
    this.finish(id, code);
  }

  /** The kernel's OOM killer, as the engine reports it: `oom`, then `die` with 137. */
  oomKill(id: string): void {
    this.emitEvent(id, 'oom');
    this.get(id).oomKilled = true;
    this.finish(id, 137);
  }

  /**
   * The container's HEALTHCHECK turns `status`, as the engine tells it: the record's health, then a
   * `health_status: <status>` event (as in test/fixtures/engine/events.jsonl).
   */
  turnHealth(id: string, status: 'healthy' | 'unhealthy'): void {
    const record = this.get(id);
    const failingStreak = status === 'unhealthy' ? (record.health?.failingStreak ?? 0) + 1 : 0;
    record.health = { status, failingStreak, log: [] };
    this.emitEvent(id, `health_status: ${status}`);
  }

  /** `docker stop`: a person's wish. */
  personStop(id: string): void {
    this.emitEvent(id, 'kill', { signal: '15' });
    this.finish(id, 143);
    this.emitEvent(id, 'stop');
  }

  /** `docker rm -f`. */
  remove(id: string): void {
    const record = this.get(id);
    if (record.state === 'running') this.finish(id, 137);
    this.containers.delete(id);
    // the engine tells of a container gone with its name and labels still on the event
    this.emitEvent(id, 'destroy', {}, record);
  }

  /**
   * The engine shuts down as dockerd does (test/integration/engine-shutdown.test.ts): it refuses new
   * connections at once, stops every running container at once while its event stream still tells of
   * it, and ends that stream when the rest of its shutdown is done, `streamEndsAfterMs` later.
   */
  shutDown(options: { streamEndsAfterMs?: number } = {}): void {
    this.accepting = false;
    const running = [...this.containers.values()].filter((c) => c.state === 'running');
    for (const c of running) this.emitEvent(c.id, 'kill', { signal: '15' });
    for (const c of running) {
      this.finish(c.id, 143);
      this.emitEvent(c.id, 'stop');
    }
    const end = () => {
      this.up = false;
      for (const stream of this.streams) stream.destroy(new Error('connect ECONNREFUSED'));
      this.streams.clear();
    };
    if (options.streamEndsAfterMs) setTimeout(end, options.streamEndsAfterMs);
    else end();
  }

  /**
   * dockerd is SIGKILLed: its containers keep running (their shims live on), its streams and calls
   * in flight hang up, and its memory of events is gone.
   */
  crash(): void {
    this.up = false;
    const hangUp = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    for (const stream of this.streams) stream.destroy(hangUp());
    this.streams.clear();
    for (const fail of this.hanging) fail(hangUp());
    this.hanging.clear();
    this.eventLog.length = 0;
  }

  /**
   * dockerd starts again after a crash, as recorded on the real engine (test/fixtures/engine/
   * restart-sigkill.jsonl): before it answers anyone it stops every container that had been running
   * (kill 15, die 137 after the stop timeout, stop); then restart policy `always` brings those back.
   */
  restartAfterCrash(): void {
    this.up = true;
    const running = [...this.containers.values()].filter((c) => c.state === 'running');
    for (const c of running) this.emitEvent(c.id, 'kill', { signal: '15' });
    for (const c of running) {
      this.finish(c.id, 137);
      this.emitEvent(c.id, 'stop');
    }
    this.startUp();
  }

  /** The engine is back; containers with restart policy `always` start on their own, as dockerd's do. */
  startUp(): void {
    this.up = true;
    this.accepting = true;
    for (const c of this.containers.values())
      if (c.restartPolicy.name === 'always' && c.state !== 'running') this.begin(c.id);
  }

  // ContainerEngine

  async ping(): Promise<void> {
    this.reachable();
  }

  async probeNewConnection(): Promise<NewConnectionVerdict> {
    if (this.up && this.accepting) return 'accepted';
    if (!this.socketHeld) return 'refused';
    await new Promise((resolve) => setTimeout(resolve, 5000));
    return 'unanswered';
  }

  async info(): Promise<EngineInfo> {
    this.reachable();
    return {
      name: 'fake-host',
      memTotalBytes: 8 * 2 ** 30,
      cpus: 2,
      cgroupVersion: '2',
      cgroupDriver: 'systemd',
      serverVersion: 'fake',
    };
  }

  async listContainerIds(): Promise<string[]> {
    this.reachable();
    return [...this.containers.keys()];
  }

  async inspect(id: string): Promise<ContainerRecord | null> {
    this.reachable();
    // the engine answers with the state at the time it was asked, however late the answer comes
    const record = this.containers.get(id);
    const answer = record ? structuredClone(record) : null;
    if (this.inspectDelayMs > 0) await new Promise((r) => setTimeout(r, this.inspectDelayMs));
    if (this.inspectionsHeld) await this.inspectionsHeld;
    return answer;
  }

  /** Every inspection from now on waits until the returned function is called (answering, as with
   * inspectDelayMs, with the state at the time it was asked). */
  holdInspections(): () => void {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    this.inspectionsHeld = held;
    return () => {
      if (this.inspectionsHeld === held) this.inspectionsHeld = null;
      release();
    };
  }

  async events(since: bigint | null, signal: AbortSignal): Promise<Readable> {
    this.reachable();
    const stream = new PassThrough();
    this.streams.add(stream);
    if (since !== null) for (const e of this.eventLog) if (e.nano >= since) stream.write(`${e.line}\n`);
    signal.addEventListener('abort', () => {
      this.streams.delete(stream);
      // as dockerode's request does: the stream fails with the abort
      stream.destroy(Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' }));
    });
    return stream;
  }

  async statsOnce(): Promise<ResourceSample | null> {
    return null;
  }

  /** The container's process writes a line (its log keeps it, with the time it was written). */
  write(id: string, line: LogWrite): void {
    // the engine's frame: stream (1 stdout, 2 stderr), three zero bytes, the payload's length; then
    // the payload, the timestamp (RFC 3339 with nanoseconds) and a space before the line
    const stamp = new Date(Date.now()).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
    const payload = Buffer.from(`${stamp} ${line.message}\n`);
    const header = Buffer.alloc(8);
    header[0] = line.stream === 'stdout' ? 1 : 2;
    header.writeUInt32BE(payload.length, 4);
    this.logFrames.set(id, [...(this.logFrames.get(id) ?? []), header, payload]);
  }

  async logs(id: string): Promise<Readable> {
    this.reachable();
    if (!this.containers.has(id)) throw Object.assign(new Error('no such container'), { statusCode: 404 });
    return Readable.from([Buffer.concat(this.logFrames.get(id) ?? [])]);
  }

  async imageExists(): Promise<boolean> {
    return true;
  }

  async pull(ref: string): Promise<void> {
    this.calls.push({ method: 'pull', id: ref, at: Date.now() });
  }

  async start(id: string): Promise<void> {
    this.reachable();
    this.calls.push({ method: 'start', id, at: Date.now() });
    await this.hang();
    const failure = this.failStarts.get(id);
    if (failure !== undefined) {
      this.failStarts.delete(id);
      throw Object.assign(new Error(failure), { statusCode: 500, json: { message: failure } });
    }
    if (this.get(id).state !== 'running') this.begin(id);
  }

  async stop(id: string): Promise<void> {
    this.reachable();
    this.calls.push({ method: 'stop', id, at: Date.now() });
    if (this.get(id).state !== 'running') return;
    this.emitEvent(id, 'kill', { signal: '15' });
    this.finish(id, 143);
    this.emitEvent(id, 'stop');
  }

  async removeContainer(id: string): Promise<void> {
    this.reachable();
    this.calls.push({ method: 'remove', id, at: Date.now() });
    this.remove(id);
  }

  async restart(id: string): Promise<void> {
    this.reachable();
    this.calls.push({ method: 'restart', id, at: Date.now() });
    await this.hang();
    if (this.get(id).state === 'running') {
      this.emitEvent(id, 'kill', { signal: '15' });
      if (this.stopTimeoutMs > 0) {
        await new Promise((r) => setTimeout(r, this.stopTimeoutMs));
        this.emitEvent(id, 'kill', { signal: '9' });
        this.finish(id, 137);
      } else this.finish(id, 143);
      this.emitEvent(id, 'stop');
    }
    if (this.restartGapMs > 0) await new Promise((r) => setTimeout(r, this.restartGapMs));
    this.begin(id);
    this.emitEvent(id, 'restart');
  }

  async recreate(id: string): Promise<string> {
    this.reachable();
    this.calls.push({ method: 'recreate', id, at: Date.now() });
    const old = this.get(id);
    const behaviour = this.behaviours.get(id);
    this.remove(id);
    return this.run(old.name, {
      labels: old.labels,
      restartPolicy: old.restartPolicy.name,
      ...(behaviour ? { behaviour } : {}),
    });
  }

  private hang(): Promise<void> {
    if (!this.hangCalls) return Promise.resolve();
    return new Promise((_resolve, reject) => this.hanging.add(reject));
  }

  private reachable(): void {
    if (!this.up) throw Object.assign(new Error('connect ECONNREFUSED /fake/docker.sock'), { code: 'ECONNREFUSED' });
  }

  private begin(id: string): void {
    const record = this.get(id);
    Object.assign(record, {
      state: 'running',
      pid: 4242,
      exitCode: 0,
      startedAt: new Date(Date.now()),
      // the engine keeps the time of the last exit while the container runs again; a container with a
      // health check starts again as `starting`
      ...(record.health ? { health: { status: 'starting', failingStreak: 0, log: [] } } : {}),
    });
    this.emitEvent(id, 'start');
    for (const line of this.startLines.get(id) ?? []) this.write(id, line);
    const behaviour = this.behaviours.get(id);
    if (behaviour?.kind === 'exits') {
      this.exitTimers.set(
        id,
        setTimeout(() => this.finish(id, behaviour.code), behaviour.afterMs),
      );
    }
  }

  private finish(id: string, code: number): void {
    clearTimeout(this.exitTimers.get(id));
    this.exitTimers.delete(id);
    const record = this.containers.get(id);
    if (!record || record.state !== 'running') return;
    Object.assign(record, { state: 'exited', pid: 0, exitCode: code, finishedAt: new Date(Date.now()) });
    this.emitEvent(id, 'die', { exitCode: String(code) });
  }

  private emitEvent(
    id: string,
    action: string,
    attributes: Record<string, string> = {},
    record = this.containers.get(id),
  ): void {
    if (!this.up) return;
    // the engine's event times are nanoseconds and strictly ordered within one stream
    const nano = BigInt(Date.now()) * 1_000_000n;
    this.lastNano = nano > this.lastNano ? nano : this.lastNano + 1n;
    const name = record?.name ?? '';
    const line = JSON.stringify({
      Type: 'container',
      Action: action,
      Actor: { ID: id, Attributes: { ...(record?.labels ?? {}), image: 'vigil-test:latest', name, ...attributes } },
      time: Number(this.lastNano / 1_000_000_000n),
      timeNano: '__NANO__',
    }).replace('"__NANO__"', this.lastNano.toString());
    this.eventLog.push({ nano: this.lastNano, line });
    if (this.eventLog.length > 256) this.eventLog.shift();
    for (const stream of this.streams) stream.write(`${line}\n`);
  }
}
