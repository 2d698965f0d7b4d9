import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { docker as dockerOn, execEndingTheRun, runContainer, waitFor } from './engine.js';
import type { PrivateEngine } from './private-engine.js';
import { spawnVigil, type VigilProcess } from './vigil-process.js';

// The medic's hard cases of issues 20 and 21, on a private engine and a vigil process of their own:
// each measures what happened and returns it; the integration tests assert on it, `npm run soak`
// prints it. Each is bounded in time and removes what it made.

const exec = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface HistoryBody {
  intents: { at: string; desired: string; reason: string; by?: string }[];
  actions: { at: string; action: string; outcome?: string; counted?: boolean; error?: string; by?: string }[];
}

export function medicVigil(engine: PrivateEngine, env: Record<string, string> = {}, dataDir?: string) {
  return spawnVigil({
    DOCKER_HOST: engine.host,
    VIGIL_DATA_DIR: dataDir ?? mkdtempSync(join(engine.dir, 'vigil-')),
    VIGIL_BOOT_GRACE_SECONDS: '2',
    VIGIL_LOG_LEVEL: 'info',
    ...env,
  });
}

export const ready = (v: VigilProcess, timeoutMs = 60_000) =>
  waitFor(async () => (await fetch(`${v.url}/health/ready`)).status === 200, { what: 'vigil ready', timeoutMs });

export async function historyOf(v: VigilProcess, name: string): Promise<HistoryBody> {
  const res = await fetch(`${v.url}/api/v1/history/${name}`);
  if (!res.ok) throw new Error(`history of ${name}: ${res.status} ${await res.text()}`);
  return (await res.json()) as HistoryBody;
}

async function states(engine: PrivateEngine, names: string[]): Promise<Record<string, string>> {
  const out = await dockerOn(['inspect', '--format', '{{.Name}} {{.State.Status}}', ...names], engine.host);
  return Object.fromEntries(out.split('\n').map((l) => [l.split(' ')[0]!.slice(1), l.split(' ')[1]!]));
}

export interface EngineCrashResult {
  /** From the engine answering again until every should-run container ran; null if not within the bound. */
  allRunningAfterMs: number | null;
  shouldRun: number;
  /** Should-run containers whose history holds a person's stop after the crash. */
  takenForPersonStop: string[];
  /** The two a person stopped that are still stopped. */
  personStoppedLeft: number;
  /** Counted actions on the container vigil was restarting that failed because the engine went away. */
  chargedForTheCrash: number;
  /** Whether vigil recorded its call as interrupted by the engine. */
  interruptedRecorded: boolean;
}

/**
 * Issue 20 item 1: 5 labelled and 5 unlabelled should-run containers, 2 stopped by a person; dockerd is
 * SIGKILLed while vigil is restarting one of them (an unhealthy one, whose SIGTERM it ignores), then
 * started again.
 */
export async function engineCrashCase(engine: PrivateEngine, boundMs = 30_000): Promise<EngineCrashResult> {
  const docker = (args: string[]) => dockerOn(args, engine.host);
  const labelled = Array.from({ length: 4 }, (_, i) => `crash-heal-${i}`);
  const sick = 'crash-sick';
  const plain = Array.from({ length: 5 }, (_, i) => `crash-plain-${i}`);
  const mine = ['crash-mine-0', 'crash-mine-1'];
  const shouldRun = [...labelled, sick, ...plain];
  for (const n of labelled) await runContainer(n, ['--label', 'vigil.autoheal=true'], ['sleep', '100000'], engine.host);
  // healthy until /run/sick exists; /run is a tmpfs, so a restart makes it healthy again
  const check = ['--health-cmd', 'test ! -f /run/sick', '--health-interval', '1s', '--health-retries', '1'];
  await runContainer(
    sick,
    ['--label', 'vigil.autoheal=true', '--tmpfs', '/run', ...check],
    ['sleep', '100000'],
    engine.host,
  );
  for (const n of [...plain, ...mine]) await runContainer(n, [], ['sleep', '100000'], engine.host);
  const v = await medicVigil(engine);
  try {
    await ready(v);
    await docker(['stop', '-t', '1', ...mine]);
    await sleep(2000);
    const since = Math.floor(Date.now() / 1000);
    await docker(['exec', sick, 'touch', '/run/sick']);
    // vigil's restart has begun when the engine sends its SIGTERM; the call then waits out the 10 s stop timeout
    await waitFor(
      async () =>
        (await docker([
          'events',
          '--since',
          String(since),
          '--until',
          String(Math.floor(Date.now() / 1000) + 1),
          '--filter',
          `container=${sick}`,
          '--filter',
          'event=kill',
          '--format',
          '{{.Action}}',
        ])) !== '',
      { what: "vigil's restart of the sick container", timeoutMs: 30_000, intervalMs: 300 },
    );
    const killedAt = Date.now();
    const pid = readFileSync(join(engine.dir, 'docker.pid'), 'utf8').trim();
    await exec('kill', ['-KILL', pid]);
    await waitFor(
      async () => {
        try {
          process.kill(Number(pid), 0);
          return false;
        } catch {
          return true;
        }
      },
      { what: 'dockerd gone' },
    );
    await sleep(1000);
    await engine.up();
    const backAt = Date.now();
    let allRunningAfterMs: number | null = null;
    await waitFor(async () => Object.values(await states(engine, shouldRun)).every((s) => s === 'running'), {
      what: 'every should-run container running',
      timeoutMs: boundMs,
      intervalMs: 250,
    })
      .then(() => (allRunningAfterMs = Date.now() - backAt))
      .catch(() => undefined);
    await sleep(2000);
    const takenForPersonStop: string[] = [];
    for (const n of shouldRun) {
      const h = await historyOf(v, n);
      if (h.intents.some((i) => Date.parse(i.at) >= killedAt && i.desired === 'stopped')) takenForPersonStop.push(n);
    }
    const left = await states(engine, mine);
    const sickHistory = await historyOf(v, sick);
    const gone = /socket hang up|ECONNREFUSED|ENOENT|ECONNRESET/;
    const chargedForTheCrash = sickHistory.actions.filter(
      (a) => a.counted === true && a.outcome === 'failure' && gone.test(a.error ?? ''),
    ).length;
    const interruptedRecorded = sickHistory.actions.some(
      (a) => a.counted === false && gone.test(a.error ?? '') && 'interrupted' in a,
    );
    return {
      allRunningAfterMs,
      shouldRun: shouldRun.length,
      takenForPersonStop,
      personStoppedLeft: Object.values(left).filter((s) => s === 'exited').length,
      chargedForTheCrash,
      interruptedRecorded,
    };
  } finally {
    await v.stop('SIGKILL');
    await docker(['rm', '-f', ...shouldRun, ...mine]).catch(() => undefined);
  }
}

const startEvents = async (engine: PrivateEngine, name: string, sinceS: number): Promise<number> => {
  const until = String(Math.floor(Date.now() / 1000) + 1);
  const out = await dockerOn(
    [
      'events',
      '--since',
      String(sinceS),
      '--until',
      until,
      '--filter',
      `container=${name}`,
      '--filter',
      'event=start',
      '--format',
      '{{.Action}}',
    ],
    engine.host,
  );
  return out.split('\n').filter(Boolean).length;
};

export interface StoreFullResult {
  /** What readiness said once the filesystem was full. */
  readiness: { status: number; store: string | null };
  /** Starts of the crash-looping container in the window (its own first start included). */
  starts: number;
  /** vigil's `recovery action` log lines for it, and the attempt numbers they carry. */
  actionsLogged: number;
  attempts: number[];
  gaveUp: boolean;
  windowMs: number;
}

/**
 * Issue 20 item 2: the data directory on a tiny tmpfs that is then filled; a labelled container crash
 * loops (base 5 s, 3 attempts). `mountDir` must be an empty directory; the caller unmounts it.
 */
export async function storeFullCase(
  engine: PrivateEngine,
  mountDir: string,
  windowMs = 30_000,
): Promise<StoreFullResult> {
  await exec('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountDir]);
  const v = await medicVigil(
    engine,
    { VIGIL_BACKOFF_BASE_SECONDS: '5', VIGIL_RECOVERY_MAX_ATTEMPTS: '3', VIGIL_BOOT_GRACE_SECONDS: '1' },
    mountDir,
  );
  const name = 'full-looper';
  try {
    await ready(v);
    await sleep(1500);
    // fill what is left of the filesystem
    await exec('dd', ['if=/dev/zero', `of=${join(mountDir, 'filler')}`, 'bs=64k']).catch(() => undefined);
    const readyBody = await waitFor(
      async () => {
        const res = await fetch(`${v.url}/health/ready`);
        const body = (await res.json()) as { checks?: Record<string, { reason?: string }> };
        const store = body.checks?.store?.reason;
        return res.status === 503 && store ? { status: res.status, store } : null;
      },
      { what: 'readiness to say the store is full', timeoutMs: 15_000, intervalMs: 250 },
    ).catch(() => ({ status: 200, store: null }));
    const since = Math.floor(Date.now() / 1000);
    await runContainer(name, ['--label', 'vigil.autoheal=true'], ['sh', '-c', 'sleep 0.3; exit 1'], engine.host);
    await sleep(windowMs);
    const mine = v.logs.filter((l) => l.container === name);
    const actions = mine.filter((l) => l.msg === 'recovery action');
    return {
      readiness: readyBody,
      starts: await startEvents(engine, name, since),
      actionsLogged: actions.length,
      attempts: actions.map((l) => Number(l.attempt)),
      gaveUp: mine.some((l) => l.msg === 'gave up recovering'),
      windowMs,
    };
  } finally {
    await v.stop('SIGKILL');
    await dockerOn(['rm', '-f', name], engine.host).catch(() => undefined);
  }
}

/** Unmounts what storeFullCase mounted (lazily: a process may still hold a file there). */
export async function unmount(dir: string): Promise<void> {
  await exec('umount', ['-l', dir]).catch(() => undefined);
}

export interface IdentityResult {
  /** (a) the container created under a removed one's name after `rm -f`, after a restart of vigil. */
  createdUnderOldName: { state: string; vigilActions: number };
  /** (d) rows left for the removed container's id. */
  rowsOfRemoved: number;
  historyOfRemovedKept: boolean;
  /** (b) a rename mid crash loop: vigil's starts across both names, the attempt limit, and the history keys. */
  renamed: { vigilStarts: number; maxAttempts: number; gaveUp: boolean; historyBeforeRename: boolean };
  /** (c) a stop through the API of an exited container in its backoff. */
  apiStop: { status: number; stateAfter: string; startsAfter: number; by: string | undefined };
  unknownStatus: number;
  unknownMessage: string;
}

/**
 * Issue 20 item 4: identity by id. (a) rm -f during backoff, then `docker create` under the same name,
 * then a restart of vigil; (b) `docker rename` mid crash loop; (c) the API's stop of an exited
 * container waiting in its backoff; (d) the rows of a removed container.
 */
export async function identityCase(engine: PrivateEngine): Promise<IdentityResult> {
  const docker = (args: string[]) => dockerOn(args, engine.host);
  const dataDir = mkdtempSync(join(engine.dir, 'vigil-id-'));
  const env = { VIGIL_BACKOFF_BASE_SECONDS: '4', VIGIL_RECOVERY_MAX_ATTEMPTS: '3' };
  const crash = ['sh', '-c', 'sleep 0.3; exit 1'];
  const heal = ['--label', 'vigil.autoheal=true'];
  const [web, loop, stopme] = ['id-web', 'id-loop', 'id-stopme'];
  let v = await medicVigil(engine, env, dataDir);
  try {
    await ready(v);
    await sleep(2500);
    const oldId = await runContainer(web, heal, crash, engine.host);
    await runContainer(loop, heal, crash, engine.host);
    await runContainer(stopme, heal, crash, engine.host);
    const firstAction = (n: string) =>
      waitFor(async () => (await historyOf(v, n)).actions.some((a) => a.action === 'start'), {
        what: `vigil's first start of ${n}`,
        timeoutMs: 30_000,
        intervalMs: 200,
      });
    await Promise.all([firstAction(web), firstAction(loop), firstAction(stopme)]);
    // (b) renamed while it crash loops
    await docker(['rename', loop, `${loop}-renamed`]);
    // (c) waiting in its backoff, exited: stopped through the API
    await waitFor(async () => (await docker(['inspect', '-f', '{{.State.Status}}', stopme])) === 'exited', {
      what: `${stopme} exited`,
    });
    const stopSince = Math.floor(Date.now() / 1000) + 1;
    await sleep(1100);
    const stopRes = await fetch(`${v.url}/api/v1/containers/${stopme}/stop`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const unknown = await fetch(`${v.url}/api/v1/containers/id-no-such/stop`, { method: 'POST' });
    const unknownBody = (await unknown.json()) as { error?: { message?: string } };
    // (a) and (d): removed during its backoff, and another made under its name
    await docker(['rm', '-f', web]);
    await sleep(1000);
    const db = (await import('better-sqlite3')).default(join(dataDir, 'vigil.db'), { readonly: true });
    const rows = db
      .prepare(
        `SELECT (SELECT count(*) FROM desired_state WHERE key = ?) + (SELECT count(*) FROM recovery_state WHERE key = ?) AS n,
                (SELECT count(*) FROM history WHERE key = ?) AS h`,
      )
      .get(`id:${oldId}`, `id:${oldId}`, `id:${oldId}`) as { n: number; h: number };
    db.close();
    await docker(['create', '--name', web, '--network', 'none', ...heal, 'vigil-test:latest', 'sleep', '100000']);
    await waitFor(async () => (await historyOf(v, `${loop}-renamed`)).actions.some((a) => a.action === 'give-up'), {
      what: 'vigil to give up on the renamed crash looper',
      timeoutMs: 60_000,
      intervalMs: 500,
    }).catch(() => undefined);
    await v.stop('SIGTERM');
    v = await medicVigil(engine, env, dataDir);
    await ready(v);
    await sleep(8000);
    const loopHistory = await historyOf(v, `${loop}-renamed`);
    const stopHistory = await historyOf(v, stopme);
    const webHistory = await historyOf(v, web);
    return {
      createdUnderOldName: {
        state: await docker(['inspect', '-f', '{{.State.Status}}', web]),
        vigilActions: webHistory.actions.length,
      },
      rowsOfRemoved: rows.n,
      historyOfRemovedKept: rows.h > 0,
      renamed: {
        vigilStarts: loopHistory.actions.filter((a) => a.action === 'start').length,
        maxAttempts: 3,
        gaveUp: loopHistory.actions.some((a) => a.action === 'give-up'),
        historyBeforeRename: loopHistory.actions.length > 1,
      },
      apiStop: {
        status: stopRes.status,
        stateAfter: await docker(['inspect', '-f', '{{.State.Status}}', stopme]),
        startsAfter: await startEvents(engine, stopme, stopSince),
        by: stopHistory.intents.filter((i) => i.desired === 'stopped').at(-1)?.by,
      },
      unknownStatus: unknown.status,
      unknownMessage: unknownBody.error?.message ?? '',
    };
  } finally {
    await v.stop('SIGKILL');
    await docker(['rm', '-f', web, loop, `${loop}-renamed`, stopme]).catch(() => undefined);
  }
}

export interface AwayResult {
  /** A labelled container that crashed before vigil's first start (no cursor yet): started, and why. */
  early: { startedByVigil: boolean; why: string | undefined };
  /** A labelled container that crashed while vigil was down: ms from vigil's start until it ran. */
  crashedWhileAway: { runningAfterMs: number | null; why: string | undefined };
  /** One a person stopped while vigil was down. */
  stoppedWhileAway: { state: string; desired: string | undefined };
}

/** Issue 21 item 1: what happened while vigil was away (or before it first came). */
export async function awayCase(engine: PrivateEngine, boundMs = 30_000): Promise<AwayResult> {
  const docker = (args: string[]) => dockerOn(args, engine.host);
  const dataDir = mkdtempSync(join(engine.dir, 'vigil-away-'));
  const heal = ['--label', 'vigil.autoheal=true'];
  const [early, crasher, mine] = ['away-early', 'away-crasher', 'away-mine'];
  // crashes (exit 3) once /run/crash exists; /run is a tmpfs, so a start makes it well again
  const crashOnCue = ['sh', '-c', 'while [ ! -f /run/crash ]; do sleep 0.2; done; exit 3'];
  await runContainer(early, heal, ['sh', '-c', 'sleep 0.2; exit 3'], engine.host);
  await waitFor(async () => (await docker(['inspect', '-f', '{{.State.Status}}', early])) === 'exited', {
    what: `${early} crashed`,
  });
  let v = await medicVigil(engine, {}, dataDir);
  try {
    await ready(v);
    const earlyStarted = await waitFor(
      async () => (await historyOf(v, early)).actions.find((a) => a.action === 'start'),
      { what: `${early} started by vigil`, timeoutMs: boundMs, intervalMs: 250 },
    ).catch(() => undefined);
    // why it should run: the intent that says it crashed (the replay also holds its first start)
    const crashIntent = (h: HistoryBody) =>
      h.intents.filter((i) => i.desired === 'running' && /crash/.test(i.reason)).at(-1);
    const earlyWhy = crashIntent(await historyOf(v, early))?.reason;
    await runContainer(crasher, [...heal, '--tmpfs', '/run'], crashOnCue, engine.host);
    await runContainer(mine, heal, ['sleep', '100000'], engine.host);
    await sleep(2500);
    await v.stop('SIGTERM');
    await execEndingTheRun(crasher, ['touch', '/run/crash'], engine.host);
    await docker(['stop', '-t', '1', mine]);
    await waitFor(async () => (await docker(['inspect', '-f', '{{.State.Status}}', crasher])) === 'exited', {
      what: `${crasher} crashed while vigil is down`,
    });
    const startedAt = Date.now();
    v = await medicVigil(engine, {}, dataDir);
    let runningAfterMs: number | null = null;
    await waitFor(async () => (await docker(['inspect', '-f', '{{.State.Status}}', crasher])) === 'running', {
      what: `${crasher} running again`,
      timeoutMs: boundMs,
      intervalMs: 250,
    })
      .then(() => (runningAfterMs = Date.now() - startedAt))
      .catch(() => undefined);
    await sleep(3000);
    const crasherHistory = await historyOf(v, crasher);
    const mineHistory = await historyOf(v, mine);
    return {
      early: { startedByVigil: earlyStarted !== undefined, why: earlyWhy },
      crashedWhileAway: {
        runningAfterMs,
        why: crashIntent(crasherHistory)?.reason,
      },
      stoppedWhileAway: {
        state: await docker(['inspect', '-f', '{{.State.Status}}', mine]),
        desired: mineHistory.intents.at(-1)?.desired,
      },
    };
  } finally {
    await v.stop('SIGKILL');
    await docker(['rm', '-f', early, crasher, mine]).catch(() => undefined);
  }
}
