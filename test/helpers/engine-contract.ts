import type { Readable } from 'node:stream';
import type { ContainerEngine } from '../../src/docker/engine.js';
import { parseEngineEventLine } from '../../src/docker/parse/events.js';
import { MultiplexedLogParser } from '../../src/docker/parse/logs.js';
import type { ContainerEvent, ContainerRecord } from '../../src/docker/types.js';
import { DockerodeEngine } from '../../src/docker/engine.js';
import { docker, execEndingTheRun, runContainer, waitFor } from './engine.js';
import { FakeEngine } from './fake-engine.js';

/**
 * One scenario run on an engine, real or fake, through vigil's own ContainerEngine: the answers to the
 * calls vigil makes (list, inspect, the event stream, logs), reduced to what vigil reads of them and
 * their shape (ids and times by kind, not value). The real engine's answers are recorded into
 * test/fixtures/engine/contract.json; the fake engine must give the same (test/docker/contract.test.ts),
 * and so must the real one of the day (test/integration/engine-contract.test.ts).
 */
export interface ContractDriver {
  engine: ContainerEngine;
  /**
   * Creates and starts a container named `name` with the label contract=yes that writes `out-1` to
   * stdout and `err-1` to stderr, then runs until it crashes or is stopped (exit 143 on SIGTERM).
   */
  run(name: string): Promise<string>;
  /** The container's process exits on its own with `code`. */
  crash(id: string, code: number): Promise<unknown>;
  /** `docker stop`. */
  personStop(id: string): Promise<unknown>;
  /** `docker rm -f`. */
  remove(id: string): Promise<unknown>;
}

export const contractLabels = { contract: 'yes' };

type Shape = string | number | boolean | null | Shape[] | { [key: string]: Shape };

export interface ContractStep {
  /** What the event stream said about the container during the step, as vigil parses it. */
  events: Shape[];
  /** What inspecting it answers once the step is over. */
  inspect: Shape;
}

export interface ContractAnswers {
  steps: Record<string, ContractStep>;
  /** The container among the listed ids, and what an id looks like. */
  list: Shape;
  logs: Shape[];
}

/** A value by its kind; the values vigil decides on by their value. */
function kind(value: unknown): Shape {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return 'date';
  if (typeof value === 'string') {
    if (/^[0-9a-f]{64}$/.test(value)) return 'id';
    if (/^[0-9a-f]{12}$/.test(value)) return 'short id';
    return value === '' ? '' : 'string';
  }
  if (typeof value === 'number') return 'number';
  if (typeof value === 'bigint') return 'bigint';
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(kind);
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => [k, kind(v)]),
  );
}

function recordShape(record: ContainerRecord | null, name: string): Shape {
  if (!record) return null;
  const { state, exitCode, oomKilled, restartPolicy, health, limits, tty, networkMode, labels } = record;
  return {
    ...(kind(record) as Record<string, Shape>),
    // what vigil decides on, by value
    ...{ state, exitCode, oomKilled, restartPolicy, health: kind(health), limits, tty, networkMode },
    name: record.name === name ? 'the name' : record.name,
    labels: { contract: labels.contract ?? null },
    pid: record.pid > 0 ? 'a pid' : record.pid,
  };
}

function eventShape(event: ContainerEvent, name: string): Shape {
  return {
    action: event.action,
    exitCode: event.exitCode ?? null,
    signal: event.signal ?? null,
    name: event.name === name ? 'the name' : event.name,
    label: event.attributes.contract ?? null,
    image: kind(event.attributes.image),
    time: event.timeNano > 0n ? 'nanoseconds' : 'none',
  };
}

/** Runs the scenario and gives the engine's answers; removes its container whatever happens. */
export async function runContract(driver: ContractDriver, name: string): Promise<ContractAnswers> {
  const { engine } = driver;
  const abort = new AbortController();
  const events: ContainerEvent[] = [];
  const stream: Readable = await engine.events(null, abort.signal);
  let partial = '';
  stream.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      const event = line.trim() ? parseEngineEventLine(line) : null;
      if (event) events.push(event);
    }
  });
  stream.on('error', () => undefined);
  const steps: Record<string, ContractStep> = {};
  let id = '';
  let seen = 0;
  const step = async (title: string, act: () => Promise<unknown>, last: ContainerEvent['action']) => {
    await act();
    const mine = () => events.slice(seen).filter((e) => e.id === id);
    await waitFor(() => mine().some((e) => e.action === last), { what: `${last} after ${title}`, timeoutMs: 30_000 });
    const during = mine();
    seen = events.length;
    steps[title] = {
      events: during.map((e) => eventShape(e, name)),
      inspect: recordShape(await engine.inspect(id), name),
    };
  };
  try {
    await step('run', async () => (id = await driver.run(name)), 'start');
    const ids = await engine.listContainerIds();
    const list = { listed: ids.includes(id), ids: kind([...new Set(ids.map(kind))]) };
    await step('crash', () => driver.crash(id, 3), 'die');
    await step('start', () => engine.start(id), 'start');
    await step('person stop', () => driver.personStop(id), 'stop');
    const logs = await readLogs(engine, id);
    await step('remove', () => driver.remove(id), 'destroy');
    return { steps, list, logs };
  } finally {
    abort.abort();
    if (id) await driver.remove(id).catch(() => undefined);
  }
}

/** The container's whole log as vigil reads it; its two runs wrote the same lines twice. */
async function readLogs(engine: ContainerEngine, id: string): Promise<Shape[]> {
  const abort = new AbortController();
  const stream = await engine.logs(id, { follow: false, tail: 'all' }, abort.signal);
  const parser = new MultiplexedLogParser();
  const lines: Shape[] = [];
  const add = (parsed: ReturnType<MultiplexedLogParser['push']>) =>
    lines.push(
      ...parsed.map((l) => ({
        stream: l.stream,
        message: l.message,
        timestamp: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,9}Z$/.test(l.timestamp)
          ? 'RFC 3339, nanoseconds'
          : l.timestamp,
      })),
    );
  for await (const chunk of stream) add(parser.push(chunk as Buffer));
  add(parser.end());
  // stdout and stderr are two pipes: their relative order is the kernel's, not the engine's
  return lines.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

/** The scenario on the fake engine. */
export function fakeDriver(engine = new FakeEngine()): ContractDriver {
  return {
    engine,
    run: async (name) =>
      engine.run(name, {
        labels: contractLabels,
        logs: [
          { stream: 'stdout', message: 'out-1' },
          { stream: 'stderr', message: 'err-1' },
        ],
      }),
    crash: async (id, code) => engine.exit(id, code),
    personStop: async (id) => engine.personStop(id),
    remove: async (id) => {
      if (engine.ids().includes(id)) engine.remove(id);
    },
  };
}

/** The scenario on a real engine, driven through docker's CLI as a person (and the kernel) would. */
export function realDriver(host: string): ContractDriver {
  // it crashes with the code written to /tmp/crash (and takes the file away, for its next run)
  const script = [
    "trap 'exit 143' TERM",
    'echo out-1',
    'echo err-1 >&2',
    'until [ -s /tmp/crash ]; do sleep 0.05; done',
    'code=$(cat /tmp/crash)',
    'rm /tmp/crash',
    'exit $code',
  ].join('; ');
  return {
    engine: new DockerodeEngine(host),
    run: (name) => runContainer(name, ['--label', 'contract=yes'], ['sh', '-c', script], host),
    crash: (id, code) =>
      execEndingTheRun(id, ['sh', '-c', `echo ${code} > /tmp/crash.new && mv /tmp/crash.new /tmp/crash`], host),
    personStop: (id) => docker(['stop', '-t', '10', id], host),
    remove: (id) => docker(['rm', '-f', id], host),
  };
}
