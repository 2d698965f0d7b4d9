import test from 'ava';
import { readFileSync } from 'node:fs';
import { get, type ClientRequest, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { DockerodeEngine } from '../../src/docker/engine.js';
import { docker, runContainer, waitFor } from '../helpers/engine.js';
import { PrivateEngine } from '../helpers/private-engine.js';
import { engineConnectionsOf, socketsOf } from '../helpers/sockets.js';
import { sseParser } from '../helpers/sse.js';
import { readiness } from '../helpers/vigil.js';
import { spawnVigil, type VigilProcess } from '../helpers/vigil-process.js';

// These tests freeze their engine (SIGSTOP) and count its connections, so it is one of their own.
const engine = new PrivateEngine();
const host = engine.host;
let vigil: VigilProcess;

const dockerdPid = () => Number(readFileSync(join(engine.dir, 'docker.pid'), 'utf8'));
/** A process's state letter from /proc (T: stopped by a signal). */
const processState = (pid: number) => /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
const thaw = () => {
  try {
    process.kill(dockerdPid(), 'SIGCONT');
  } catch {
    // the engine is gone already
  }
};

test.before(async () => {
  await engine.up();
  await runContainer('chatty', [], ['sh', '-c', 'while :; do echo chat; sleep 0.5; done'], host);
  vigil = await spawnVigil({
    DOCKER_HOST: host,
    VIGIL_SAMPLE_INTERVAL_SECONDS: '1',
    VIGIL_DATA_DIR: join(engine.dir, 'vigil-data'),
    VIGIL_STREAMS_PER_CLIENT: '256',
    VIGIL_STREAMS_MAX: '1024',
    // a follower may then fall 1 MiB behind (2 s of the busy container's log) before it is cut
    VIGIL_STREAMS_MEMORY_MB: '8',
    VIGIL_LOG_LEVEL: 'info',
  });
  // `ok`, not any 200: a degraded 200 comes before the inventory has read the engine's containers
  await waitFor(async () => (await readiness(vigil.url)) === 'ok', { what: 'vigil ready', timeoutMs: 30_000 });
});

test.after.always(async () => {
  thaw();
  await vigil?.stop('SIGKILL');
  await engine.destroy();
});

/** vigil's open sockets, or this process's. */
const vigilSockets = (pid: number | 'self' = vigil.child.pid!): Set<string> => socketsOf(pid);

/** vigil's connections the engine has accepted on its socket: the engine's ends whose peers are vigil's. */
const vigilEngineConnections = (): number => engineConnectionsOf(vigil.child.pid!, join(engine.dir, 'docker.sock'));

/** The fewest over a second: a sweep's or an inspection's short call is not what is measured. */
async function steady(count: () => number): Promise<number> {
  let least = Infinity;
  for (let i = 0; i < 6; i++) {
    least = Math.min(least, count());
    await new Promise((r) => setTimeout(r, 200));
  }
  return least;
}

test.serial(
  'with the engine frozen, engine calls made for clients that left are cancelled, and sockets come back to the baseline',
  async (t) => {
    const baseline = await steady(() => vigilSockets().size);
    process.kill(dockerdPid(), 'SIGSTOP');
    t.teardown(thaw);
    try {
      const requests: ClientRequest[] = [];
      for (let i = 0; i < 30; i++) {
        const query = i % 2 === 0 ? 'tail=5&follow=true' : 'tail=5&follow=false';
        const req = get(`${vigil.url}/api/v1/containers/chatty/logs?${query}`, { agent: false });
        req.on('error', () => undefined);
        requests.push(req);
      }
      // every client's connection, and the engine calls made for them, are open
      const held = await waitFor(() => vigilSockets().size >= baseline + 30 && vigilSockets().size, {
        what: 'the clients connected',
      });
      for (const req of requests) req.destroy();
      // liveness asks nothing of the engine: it answers while the engine is still frozen (a wait on the
      // engine would not end before the thaw, and the test would time out)
      const live = await fetch(`${vigil.url}/health/live`);
      t.is(live.status, 200);
      t.is(processState(dockerdPid()), 'T', 'liveness answered while the engine is frozen');
      // the engine is still frozen: what was made for the clients that left must be gone without it
      const whileFrozen = await waitFor(() => vigilSockets().size <= baseline + 4 && vigilSockets().size, {
        what: `vigil's sockets back near ${baseline} while the engine is frozen`,
        timeoutMs: 10_000,
      }).catch(() => vigilSockets().size);
      t.log(`vigil's sockets: ${baseline} at rest, ${held} with the clients, ${whileFrozen} after they left`);
      t.true(whileFrozen <= baseline + 4, `still ${whileFrozen} sockets with the engine frozen (baseline ${baseline})`);

      // a read of a frozen engine ends at its timeout and lets its socket go
      const bounded = new DockerodeEngine(host, 500);
      const own = () => vigilSockets('self').size;
      const before = own();
      await t.throwsAsync(bounded.inspect('chatty'), { message: /did not answer within 0.5 s/ });
      await t.throwsAsync(bounded.logs('chatty', { follow: true, tail: 0 }, new AbortController().signal), {
        message: /did not answer/,
      });
      await t.throwsAsync(bounded.events(null, new AbortController().signal), { message: /did not answer/ });
      await waitFor(() => own() <= before, { what: 'the timed-out calls’ sockets closed' });
    } finally {
      thaw();
    }
    const after = await waitFor(
      async () => {
        const n = await steady(() => vigilSockets().size);
        return n <= baseline + 1 && n;
      },
      { what: `vigil's sockets back to ${baseline} after the engine thawed`, timeoutMs: 30_000 },
    );
    t.log(`after the thaw: ${after}`);
    await waitFor(async () => (await fetch(`${vigil.url}/health/ready`)).status === 200, { what: 'ready again' });
  },
);

/** A follower that reads and checks every line: numbers in order, and how far behind the engine it is. */
function follower(query: string) {
  const state = { numbers: [] as number[], lagMs: [] as number[], res: null as IncomingMessage | null, text: '' };
  const req = get(`${vigil.url}/api/v1/containers/fast/logs?${query}`, { agent: false }, (res) => {
    state.res = res;
    res.setEncoding('utf8');
    res.on(
      'data',
      sseParser((message) => {
        if (message.event !== 'log') return;
        const line = JSON.parse(message.data) as { timestamp: string; message: string };
        state.numbers.push(Number(/^line-(\d+)/.exec(line.message)?.[1]));
        state.lagMs.push(Date.now() - Date.parse(line.timestamp));
      }),
    );
  });
  req.on('error', () => undefined);
  return { state, close: () => req.destroy() };
}

const contiguous = (xs: number[]) => xs.every((n, i) => i === 0 || n === xs[i - 1]! + 1);

test.serial(
  'many followers of a busy container share one engine stream; a stalled one is cut as too slow, the others keep up',
  async (t) => {
    await runContainer(
      'fast',
      [],
      [
        'awk',
        'BEGIN { pad = sprintf("%400s", ""); gsub(/ /, "x", pad); for (i = 1; ; i++) { print "line-" i " " pad; if (i % 100 == 0) { fflush(); system("sleep 0.1") } } }',
      ],
      host,
    );
    await waitFor(async () => (await fetch(`${vigil.url}/api/v1/containers/fast/health`)).status === 200, {
      what: 'fast in the inventory',
    });
    const baseline = await steady(vigilEngineConnections);

    const followers = Array.from({ length: 10 }, () => follower('tail=0&follow=true'));
    t.teardown(() => followers.forEach((f) => f.close()));
    const stalled: { text: string; ended: boolean; res: IncomingMessage | null } = {
      text: '',
      ended: false,
      res: null,
    };
    const stalledReq = get(`${vigil.url}/api/v1/containers/fast/logs?tail=0&follow=true`, { agent: false }, (res) => {
      stalled.res = res;
      res.setEncoding('utf8');
      res.on('data', (c: string) => (stalled.text += c));
      res.on('end', () => (stalled.ended = true));
      res.on('close', () => (stalled.ended = true));
      res.pause();
    });
    stalledReq.on('error', () => (stalled.ended = true));
    t.teardown(() => stalledReq.destroy());
    await waitFor(() => followers.every((f) => f.state.numbers.length > 100), { what: 'every follower reading' });
    // at rest vigil also holds idle keep-alive connections of its earlier calls, and the log stream may
    // take one of them: one more at most, where a stream per follower made eleven
    const during = await steady(vigilEngineConnections);
    t.log(`vigil's connections to the engine: ${baseline} at rest, ${during} with 11 followers`);
    t.true(during <= baseline + 1, `${during - baseline} engine connections for 11 followers of one container`);

    // a follower joining late gets its tail and then the live lines, nothing missing or twice
    const late = follower('tail=200&follow=true');
    t.teardown(() => late.close());

    await waitFor(() => vigil.logs.some((l) => l.msg === 'a log follower was cut'), {
      what: 'the stalled follower cut',
      timeoutMs: 60_000,
    });
    stalled.res?.resume();
    await waitFor(() => stalled.ended, { what: 'the stalled follower’s stream ended' });
    const cut = vigil.logs.find((l) => l.msg === 'a log follower was cut')!;
    t.regex(String(cut.reason), /^too slow/);
    t.true(/event: end\ndata: \{"reason":"too slow/.test(stalled.text.slice(-4096)), 'the follower is told why');

    // the others go on for a while after the cut, and keep up
    const mark = followers.map((f) => f.state.numbers.length);
    await waitFor(() => followers.every((f, i) => f.state.numbers.length > mark[i]! + 2000), {
      what: '2000 more lines for every follower',
      timeoutMs: 30_000,
    });
    // keeping up is vigil's own measure, not a wall-clock lag: no follower but the stalled one fell so
    // far behind that it was cut (the lag is logged; the soak measures it against its mark)
    for (const [i, f] of followers.entries())
      t.true(contiguous(f.state.numbers), `follower ${i} got every line, in order`);
    t.is(vigil.logs.filter((l) => l.msg === 'a log follower was cut').length, 1, 'only the stalled follower was cut');
    t.log(
      `lag of the last 500 lines, worst follower: ${Math.max(...followers.map((f) => Math.max(...f.state.lagMs.slice(-500))))} ms`,
    );
    t.true(late.state.numbers.length > 200);
    t.true(contiguous(late.state.numbers), 'the late follower: its tail and the live lines, no gap, no line twice');
    await docker(['rm', '-f', 'fast'], host);
  },
);
