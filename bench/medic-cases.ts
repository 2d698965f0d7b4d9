/**
 * The medic's hard cases of issue 20 (and 21's "while vigil was away") for `npm run soak`: each a
 * bounded case on an engine of its own (one of them SIGKILLs it), printed as a table row with a mark.
 * The same scenarios are asserted by test/integration/medic-{engine-crash,store-full,identity}.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { awayCase, engineCrashCase, identityCase, storeFullCase, unmount } from '../test/helpers/medic-scenarios.js';
import { PrivateEngine } from '../test/helpers/private-engine.js';

const mark = (ok: boolean) => (ok ? 'ok' : 'FAIL');

type Row = [string, string, boolean];

async function engineCrash(engine: PrivateEngine): Promise<Row> {
  const r = await engineCrashCase(engine, 30_000);
  const ok =
    r.allRunningAfterMs !== null &&
    r.takenForPersonStop.length === 0 &&
    r.personStoppedLeft === 2 &&
    r.chargedForTheCrash === 0;
  const back = r.allRunningAfterMs === null ? 'not within 30 s' : `${(r.allRunningAfterMs / 1000).toFixed(1)} s`;
  return [
    'engine SIGKILLed mid-restart (10 should run, 2 stopped)',
    `all back in ${back}; taken for a person's stop: ${r.takenForPersonStop.length}; person-stopped left: ${r.personStoppedLeft}/2; attempts charged for the crash: ${r.chargedForTheCrash}`,
    ok,
  ];
}

async function storeFull(engine: PrivateEngine): Promise<Row> {
  const dir = mkdtempSync(join(engine.dir, 'full-'));
  try {
    const r = await storeFullCase(engine, dir, 40_000);
    const ok = r.starts <= 4 && r.actionsLogged === 3 && r.gaveUp && r.readiness.status === 503;
    return [
      'full disk, crash loop (base 5 s, 3 attempts, 40 s)',
      `${r.starts} starts in ${r.windowMs / 1000} s; ${r.actionsLogged} actions logged (attempts ${r.attempts.join(', ')}); gave up: ${r.gaveUp}; readiness ${r.readiness.status}`,
      ok,
    ];
  } finally {
    await unmount(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function identity(engine: PrivateEngine): Promise<Row> {
  const r = await identityCase(engine);
  const ok =
    r.createdUnderOldName.state === 'created' &&
    r.rowsOfRemoved === 0 &&
    r.renamed.vigilStarts <= r.renamed.maxAttempts &&
    r.apiStop.stateAfter === 'exited' &&
    r.apiStop.startsAfter === 0;
  return [
    'identity: rm -f + create, rename mid loop, API stop of an exited one',
    `new one under the old name: ${r.createdUnderOldName.state}; rows of the removed: ${r.rowsOfRemoved}; starts across the rename: ${r.renamed.vigilStarts}/${r.renamed.maxAttempts}; after the API stop: ${r.apiStop.stateAfter}, ${r.apiStop.startsAfter} starts`,
    ok,
  ];
}

async function away(engine: PrivateEngine): Promise<Row> {
  const r = await awayCase(engine, 30_000);
  const ok =
    r.early.startedByVigil && r.crashedWhileAway.runningAfterMs !== null && r.stoppedWhileAway.state === 'exited';
  const back = r.crashedWhileAway.runningAfterMs;
  return [
    'crashed / stopped while vigil was away',
    `crashed before vigil came: started ${r.early.startedByVigil}; crashed while away: back in ${back === null ? 'not within 30 s' : `${(back / 1000).toFixed(1)} s`}; stopped while away: ${r.stoppedWhileAway.state}`,
    ok,
  ];
}

/** Runs every medic case on an engine of its own and prints their table through `say`. */
export async function medicCases(say: (line?: string) => void): Promise<void> {
  const engine = new PrivateEngine();
  const rows: Row[] = [];
  try {
    await engine.up();
    for (const run of [storeFull, identity, away, engineCrash]) {
      rows.push(await run(engine).catch((err: Error): Row => [run.name, `failed: ${err.message}`, false]));
    }
  } finally {
    await engine.destroy();
  }
  say('## The medic under faults (issue 20 items 1, 2, 4; issue 21 item 1)');
  say();
  say('| case | what happened | |');
  say('|---|---|---|');
  for (const [name, what, ok] of rows) say(`| ${name} | ${what} | ${mark(ok)} |`);
  say();
}
