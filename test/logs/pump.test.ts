import test from 'ava';
import { PassThrough, type Readable } from 'node:stream';
import { pino } from 'pino';
import type { ContainerEngine, LogOptions } from '../../src/docker/engine.js';
import type { LogLine } from '../../src/docker/parse/logs.js';
import { LogPump, type LogBatch, type LogEnd } from '../../src/logs/pump.js';

/** A multiplexed stdout frame of one line, as the engine sends it with timestamps. */
function frame(n: number): Buffer {
  const payload = Buffer.from(`2026-12-01T00:00:00.${String(n).padStart(9, '0')}Z line-${n}\n`);
  const header = Buffer.alloc(8);
  header[0] = 1;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}
const frames = (from: number, to: number) =>
  Buffer.concat(Array.from({ length: to - from + 1 }, (_, i) => frame(from + i)));

/** Only the log calls of an engine: each one's stream is kept, for the test to write into. */
function logEngine() {
  const calls: { options: LogOptions; stream: PassThrough; signal: AbortSignal }[] = [];
  const engine = {
    logs(_id: string, options: LogOptions, signal: AbortSignal): Promise<Readable> {
      const stream = new PassThrough();
      signal.addEventListener('abort', () => stream.destroy(), { once: true });
      calls.push({ options, stream, signal });
      return Promise.resolve(stream);
    },
    inspect: () => Promise.resolve(null),
  } as unknown as ContainerEngine;
  return { engine, calls, live: () => calls.filter((c) => c.options.follow) };
}

function follower(stalled = false) {
  const got: LogLine[] = [];
  const ends: LogEnd[] = [];
  return {
    got,
    ends,
    numbers: () => got.map((l) => Number(l.message.slice(5))),
    deliver: (batch: LogBatch) => {
      got.push(...batch.lines);
      return !stalled;
    },
    end: (end: LogEnd) => ends.push(end),
  };
}

const tick = () => new Promise((r) => setImmediate(r));
const container = { id: 'c'.repeat(64), tty: false };
const pumpOf = (engine: ContainerEngine, maxBehindBytes = 4096) =>
  new LogPump(engine, pino({ level: 'silent' }), { maxBehindBytes });

test('many followers of one container share one engine stream, and each gets every line in order', async (t) => {
  const { engine, live } = logEngine();
  const pump = pumpOf(engine);
  const subs = Array.from({ length: 5 }, () => follower());
  const follows = subs.map((s) => pump.follow(container, { tail: 0 }, s));
  await Promise.all(follows.map((f) => f.ready));
  t.is(live().length, 1, 'one follow request to the engine');
  for (let n = 1; n <= 300; n += 10) live()[0]!.stream.write(frames(n, n + 9));
  await tick();
  for (const s of subs)
    t.deepEqual(
      s.numbers(),
      Array.from({ length: 300 }, (_, i) => i + 1),
    );
  t.is(pump.streams(), 1);
});

test('a stalled follower is cut as too slow; the others keep every line', async (t) => {
  const { engine, live } = logEngine();
  const pump = pumpOf(engine, 2048);
  const fast = follower();
  const stalled = follower(true);
  await Promise.all([
    pump.follow(container, { tail: 0 }, fast).ready,
    pump.follow(container, { tail: 0 }, stalled).ready,
  ]);
  // in 50 turns of the event loop: the lines of one turn go out as one batch
  for (let n = 1; n <= 500; n += 10) {
    live()[0]!.stream.write(frames(n, n + 9));
    await tick();
  }
  t.is(stalled.ends.length, 1);
  t.regex(stalled.ends[0]!.reason, /^too slow/);
  t.deepEqual(fast.ends, []);
  t.deepEqual(
    fast.numbers(),
    Array.from({ length: 500 }, (_, i) => i + 1),
  );
  t.is(pump.followers(container.id), 1, 'the cut follower is gone from the stream');
});

test('the engine stream closes when the last follower leaves, and a new follower opens a new one', async (t) => {
  const { engine, live } = logEngine();
  const pump = pumpOf(engine);
  const a = pump.follow(container, { tail: 0 }, follower());
  const b = pump.follow(container, { tail: 0 }, follower());
  await Promise.all([a.ready, b.ready]);
  a.close();
  t.false(live()[0]!.signal.aborted, 'one follower still reads');
  b.close();
  t.true(live()[0]!.signal.aborted);
  t.is(pump.streams(), 0);
  await pump.follow(container, { tail: 0 }, follower()).ready;
  t.is(live().length, 2);
});

test('a follower leaving before the engine answers cancels the engine call', async (t) => {
  const signals: AbortSignal[] = [];
  const hung = {
    logs: (_id: string, _o: LogOptions, signal: AbortSignal) => {
      signals.push(signal);
      return new Promise<Readable>((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
      );
    },
  } as unknown as ContainerEngine;
  const pump = pumpOf(hung);
  const f = pump.follow(container, { tail: 10 }, follower());
  f.close();
  await t.throwsAsync(f.ready);
  t.true(signals[0]!.aborted);
  t.is(pump.streams(), 0);
});

/** A follower that has had lines 1-20, and a second one joining with `tail`: its tail's call still open. */
async function lateJoiner(tail: number | 'all') {
  const { engine, calls, live } = logEngine();
  const pump = pumpOf(engine, 1_000_000);
  const first = follower();
  await pump.follow(container, { tail: 0 }, first).ready;
  live()[0]!.stream.write(frames(1, 20));
  await tick();
  const late = follower();
  await pump.follow(container, { tail }, late).ready;
  return { calls, live, first, late };
}

test("a new follower's tail joins the live lines without a gap or a line twice", async (t) => {
  const { calls, live, first, late } = await lateJoiner('all');
  // lines 21-25 are written after the late follower joined and before its tail was read: both have them
  live()[0]!.stream.write(frames(21, 25));
  await tick();
  const tail = calls.find((c) => !c.options.follow)!;
  t.like(tail.options, { tail: 'all', follow: false });
  tail.stream.end(frames(1, 25));
  live()[0]!.stream.write(frames(26, 30));
  await tick();
  t.deepEqual(
    late.numbers(),
    Array.from({ length: 30 }, (_, i) => i + 1),
  );
  t.deepEqual(
    first.numbers(),
    Array.from({ length: 30 }, (_, i) => i + 1),
  );
});

test('a busy container: a tail read after more lines than its count were written still joins in one run', async (t) => {
  const { calls, live, late } = await lateJoiner(5);
  // 21-40 reach the live stream before the engine reads the tail: its five lines are among them
  live()[0]!.stream.write(frames(21, 40));
  await tick();
  calls.find((c) => !c.options.follow)!.stream.end(frames(36, 40));
  live()[0]!.stream.write(frames(41, 45));
  await tick();
  t.deepEqual(
    late.numbers(),
    Array.from({ length: 10 }, (_, i) => i + 36),
  );
});

test('when the container stops, every follower is told why, after its lines', async (t) => {
  const { engine, live } = logEngine();
  const pump = pumpOf(engine);
  const subs = [follower(), follower()];
  await Promise.all(subs.map((s) => pump.follow(container, { tail: 0 }, s).ready));
  live()[0]!.stream.end(frames(1, 3));
  await tick();
  await tick();
  for (const s of subs) {
    t.deepEqual(s.numbers(), [1, 2, 3]);
    t.deepEqual(s.ends, [{ reason: 'container removed' }]);
  }
  t.is(pump.streams(), 0);
});
