import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfigWithOrigins } from '../../src/load-config.js';
import { createVigil, type Vigil, type VigilDeps } from '../../src/service.js';
import { isEvent, type EventOfType, type VigilEvent, type VigilEventType } from '../../src/streams/events.js';
import { testDockerHost, waitFor } from './engine.js';
import { makeTempDir, removeDir } from './temp-dir.js';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface RunningVigil {
  url: string;
  vigil: Vigil;
  logs: LogLine[];
  get(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * vigil in this process on an ephemeral loopback port, its logs kept for assertions: against the test
 * engine, or against the engine (and clock) in `deps`, test/helpers/fake-engine.ts in the unit stage.
 */
export async function startVigil(
  env: Record<string, string> = {},
  deps: Omit<VigilDeps, 'logger'> = {},
  /** Dirs made for this vigil, removed once it has stopped. */
  ownDirs: string[] = [],
): Promise<RunningVigil> {
  // a data dir of its own unless the test gives one (to start a vigil again on it): removed at stop
  const dataDir = env.VIGIL_DATA_DIR ?? makeTempDir('data');
  if (env.VIGIL_DATA_DIR === undefined) ownDirs.push(dataDir);
  const { config, origins } = loadConfigWithOrigins({
    // a fake engine is reached through no socket; the stats API is the only source it answers
    ...(deps.engine ? { DOCKER_HOST: 'unix:///fake-engine/docker.sock', VIGIL_STATS_SOURCE: 'api' } : {}),
    ...(deps.engine ? {} : { DOCKER_HOST: testDockerHost() }),
    VIGIL_LISTEN: '127.0.0.1:0',
    VIGIL_SAMPLE_INTERVAL_SECONDS: '1',
    // test files open many streams from one address at once; the limits have tests of their own
    VIGIL_STREAMS_PER_CLIENT: '256',
    VIGIL_STREAMS_MAX: '1024',
    VIGIL_DATA_DIR: dataDir,
    ...env,
  });
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const vigil = createVigil(config, { settingOrigins: origins, ...deps, logger: pino({ level: 'debug' }, sink) });
  vigil.start();
  const address = await vigil.listen('127.0.0.1', 0);
  const url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    vigil,
    logs,
    get: (path, init) => fetch(`${url}${path}`, init),
    stop: async () => {
      await vigil.stop();
      for (const dir of ownDirs.splice(0)) removeDir(dir);
    },
  };
}

/**
 * GET /health/ready's overall status (`ok`, `degraded`, `unhealthy`), or null when vigil does not
 * answer: `ok` is what waiting for "ready" means (the engine reached and the inventory in sync).
 */
export async function readiness(url: string): Promise<string | null> {
  try {
    return ((await (await fetch(`${url}/health/ready`)).json()) as { status: string }).status;
  } catch {
    return null;
  }
}

/** The value of one sample in Prometheus text, or undefined when the series is absent. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const brace = line.indexOf('{');
    const labelText = brace >= 0 ? line.slice(brace + 1, line.lastIndexOf('}')) : '';
    const found = Object.fromEntries([...labelText.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

export async function scrape(v: RunningVigil): Promise<string> {
  const res = await v.get('/metrics');
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return res.text();
}

/** vigil with these notification channels (written to a VIGIL_CONFIG file, as an operator would). */
export async function startVigilWithChannels(channels: unknown[], env: Record<string, string> = {}) {
  const dir = makeTempDir('conf');
  const file = join(dir, 'vigil.json');
  writeFileSync(file, JSON.stringify({ channels }));
  return startVigil({ VIGIL_CONFIG: file, ...env }, {}, [dir]);
}

/**
 * vigil in this process acting on a private engine's containers, as the medic's and the probes' tests
 * want it: autoheal for labelled containers, a boot grace of 0.2 s and a backoff base of 1 s (unless
 * `env` says otherwise). Every event it publishes is kept in `events`, from its start; it is returned
 * once its boot reconcile has run, so that what a test does next meets the medic at work.
 */
export async function actingVigil(
  engineHost: string,
  env: Record<string, string> = {},
): Promise<{ vigil: RunningVigil; events: VigilEvent[] }> {
  const vigil = await startVigil({
    DOCKER_HOST: engineHost,
    VIGIL_AUTOHEAL: 'labelled',
    VIGIL_BOOT_GRACE_SECONDS: '0.2',
    VIGIL_BACKOFF_BASE_SECONDS: '1',
    ...env,
  });
  const { bus } = vigil.vigil;
  const events: VigilEvent[] = [...bus.since(0).events];
  bus.on('event', (e) => events.push(e));
  await waitFor(() => vigil.vigil.inventory.synced && !vigil.vigil.medic.bootPending, {
    what: "vigil's boot reconcile",
  });
  return { vigil, events };
}

/** The events of one type about the container named `name`. */
export const ofContainer = <T extends VigilEventType>(events: VigilEvent[], name: string, type: T): EventOfType<T>[] =>
  events.filter(isEvent(type)).filter((e) => e.container?.name === name);
