import test, { type ExecutionContext } from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../helpers/engine.js';
import { PrivateEngine } from '../helpers/private-engine.js';
import { metricValue, scrape, startVigil, type RunningVigil } from '../helpers/vigil.js';

// the watcher watched: a stalled event stream and a frozen sweep, each seen in readiness and the metrics
const engine = new PrivateEngine();
let vigil: RunningVigil;

test.before(async () => {
  await engine.up();
  vigil = await startVigil({ DOCKER_HOST: engine.host });
  await waitFor(() => vigil.vigil.inventory.synced, { what: 'the first sync' });
});

test.after.always(async () => {
  await vigil?.stop();
  await engine.destroy();
});

interface Ready {
  status: string;
  checks: Record<string, { status: string; reason?: string }>;
}
const ready = async () => (await (await vigil.get('/health/ready')).json()) as Ready;
const metric = async (name: string) => metricValue(await scrape(vigil), name)!;

/**
 * The timestamp stays where it stopped while readiness's own count of seconds since it moves on: a wait on
 * that count, not on the wall clock.
 */
async function stoppedWhileTimePasses(
  t: ExecutionContext,
  check: string,
  timestamp: () => Promise<number>,
  frozenAt: number,
): Promise<void> {
  const ago = async () => Number(/(\d+) s ago/.exec((await ready()).checks[check]?.reason ?? '')?.[1] ?? NaN);
  const first = await ago();
  await waitFor(async () => (await ago()) > first, { what: `readiness counting the ${check} check's seconds on` });
  t.is(await timestamp(), frozenAt, `the timestamp stays at ${frozenAt}`);
}

test.serial(
  'an engine that stops answering (SIGSTOP) stalls the event stream: readiness degrades on it, vigil_engine_last_event_timestamp_seconds stops, and both come back with it',
  async (t) => {
    const pid = Number(readFileSync(join(engine.dir, 'docker.pid'), 'utf8'));
    // the stream's answered pings (every 2 s) move the timestamp on an idle host
    const first = await metric('vigil_engine_last_event_timestamp_seconds');
    await waitFor(async () => (await metric('vigil_engine_last_event_timestamp_seconds')) > first, {
      what: 'the timestamp moving while the engine answers',
    });
    t.teardown(() => process.kill(pid, 'SIGCONT'));
    process.kill(pid, 'SIGSTOP');
    const stalled = await waitFor(
      async () => {
        const r = await ready();
        return r.checks.events?.status === 'degraded' && r;
      },
      { what: 'readiness degraded on the event stream', timeoutMs: 30_000 },
    );
    t.is(stalled.status, 'degraded');
    t.regex(stalled.checks.events!.reason!, /last contact with the engine's event stream \d+ s ago/);
    t.false(vigil.vigil.liveness.live(), "systemd's watchdog is not pinged");
    const frozenAt = await metric('vigil_engine_last_event_timestamp_seconds');
    await stoppedWhileTimePasses(t, 'events', () => metric('vigil_engine_last_event_timestamp_seconds'), frozenAt);
    process.kill(pid, 'SIGCONT');
    await waitFor(async () => (await ready()).checks.events?.status === 'ok', {
      what: 'the event stream live again',
      timeoutMs: 60_000,
    });
    t.true((await metric('vigil_engine_last_event_timestamp_seconds')) > frozenAt);
    t.true(vigil.vigil.liveness.live());
  },
);

test.serial(
  'a frozen sweep turns readiness degraded, stops vigil_last_sweep_timestamp_seconds and stops the watchdog pings',
  async (t) => {
    const first = await metric('vigil_last_sweep_timestamp_seconds');
    await waitFor(async () => (await metric('vigil_last_sweep_timestamp_seconds')) > first, {
      what: 'sweeps going on',
    });
    // the test hook: the next sweep never ends, as one stuck on a stats source would
    const sampler = vigil.vigil.sampler as unknown as { sweep: () => Promise<never> };
    sampler.sweep = () => new Promise<never>(() => undefined);
    const stalled = await waitFor(
      async () => {
        const r = await ready();
        return r.checks.sampler?.status === 'degraded' && r;
      },
      { what: 'readiness degraded on the sampler', timeoutMs: 30_000 },
    );
    t.is(stalled.status, 'degraded');
    t.regex(stalled.checks.sampler!.reason!, /last sampling sweep \d+ s ago, more than three intervals/);
    const frozenAt = await metric('vigil_last_sweep_timestamp_seconds');
    await stoppedWhileTimePasses(t, 'sampler', () => metric('vigil_last_sweep_timestamp_seconds'), frozenAt);
    t.false(vigil.vigil.liveness.live());
  },
);
