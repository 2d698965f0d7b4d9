import test from 'ava';
import fc from 'fast-check';
import type { LogLine } from '../../src/docker/parse/logs.js';
import {
  batchOf,
  dropLines,
  Follower,
  linesTheTailCovers,
  timeOrder,
  type LogBatch,
  type LogEnd,
} from '../../src/logs/follower.js';

const line = (n: number): LogLine => ({
  timestamp: `2026-12-01T00:00:00.${String(n).padStart(9, '0')}Z`,
  stream: 'stdout',
  message: `line-${n}`,
});
const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => line(from + i));

/** A subscriber whose transport takes `room` batches, then is full until told otherwise. */
function subscriber(room = Infinity) {
  const got: LogLine[] = [];
  const ends: LogEnd[] = [];
  let left = room;
  return {
    got,
    ends,
    open: (n = Infinity) => (left = n),
    deliver(batch: LogBatch) {
      got.push(...batch.lines);
      left--;
      return left > 0;
    },
    end: (end: LogEnd) => ends.push(end),
  };
}

test('the overlap of a tail and the live lines held meanwhile is found, whatever its length', (t) => {
  fc.assert(
    fc.property(fc.nat(50), fc.nat(50), fc.nat(50), (before, shared, after) => {
      const tail = lines(1, before + shared);
      const live = lines(before + 1, before + shared + after);
      return linesTheTailCovers(tail, live) === shared;
    }),
  );
  t.is(linesTheTailCovers([], lines(1, 3)), 0);
  t.is(linesTheTailCovers(lines(1, 3), []), 0);
});

test('a tail read after more lines than its count were written lies among the held lines: they are dropped up to its end', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.nat(60), fc.nat(60), (held, start, length) => {
        // the live lines held since the join are 1..held; the tail is a run of them, as the engine read it later
        const from = 1 + (start % held);
        const to = Math.min(held, from + length);
        const covered = linesTheTailCovers(lines(from, to), lines(1, held));
        const after = lines(1, held).slice(covered);
        // what the follower sees, the tail and then what is left held, is one run with nothing twice
        const seen = [...lines(from, to), ...after].map((l) => Number(l.message.slice(5)));
        return covered === to && seen.every((n, i) => i === 0 || n === seen[i - 1]! + 1);
      }),
    ),
  );
});

test('a line repeated in the log is not mistaken for the overlap unless the rest matches', (t) => {
  const same = { timestamp: 't', stream: 'stdout' as const, message: 'x' };
  const other = { timestamp: 'u', stream: 'stdout' as const, message: 'y' };
  t.is(linesTheTailCovers([same, other, same], [same, other]), 1);
  t.is(linesTheTailCovers([same, other], [same, other]), 2);
  const third = { timestamp: 'v', stream: 'stdout' as const, message: 'z' };
  t.is(linesTheTailCovers([other, same], [third, same, other, same]), 4);
});

test('dropLines takes lines off the front across batches', (t) => {
  const batches = [batchOf(lines(1, 3)), batchOf(lines(4, 6))];
  t.deepEqual(
    dropLines(batches, 4).flatMap((b) => b.lines.map((l) => l.message)),
    ['line-5', 'line-6'],
  );
  t.deepEqual(dropLines(batches, 0), batches);
  t.deepEqual(dropLines(batches, 6), []);
});

test('a follower with room gets each batch at once; a full one has them held and given in order on resume', (t) => {
  const sub = subscriber(1);
  const follower = new Follower(sub, 1_000_000, false);
  follower.push(batchOf(lines(1, 2)));
  follower.push(batchOf(lines(3, 4)));
  follower.push(batchOf(lines(5, 5)));
  t.deepEqual(
    sub.got.map((l) => l.message),
    ['line-1', 'line-2'],
  );
  t.true(follower.buffered > 0);
  sub.open();
  follower.resume();
  t.deepEqual(
    sub.got.map((l) => l.message),
    lines(1, 5).map((l) => l.message),
  );
  t.is(follower.buffered, 0);
});

test('a follower that falls further behind than its bound is cut with a reason naming "too slow"', (t) => {
  const sub = subscriber(1);
  const follower = new Follower(sub, 2_000, false);
  let n = 0;
  while (!follower.done && n < 1000) follower.push(batchOf(lines(++n, n)));
  t.true(follower.done);
  t.is(sub.ends.length, 1);
  t.regex(sub.ends[0]!.reason, /^too slow/);
  t.is(follower.buffered, 0, 'what it held is let go');
  t.false(follower.push(batchOf(lines(2000, 2000))));
});

/** A follower joining with `tail`, the live lines held meanwhile, then the live batches after: what it got. */
function joinWith(tail: LogLine[], held: LogLine[][], after: LogLine[][]): string[] {
  const sub = subscriber();
  const follower = new Follower(sub, 10_000_000, true);
  for (const batch of held) follower.push(batchOf(batch));
  follower.deliverTail(batchOf(tail));
  follower.joined(tail);
  for (const batch of after) follower.push(batchOf(batch));
  return sub.got.map((l) => l.message);
}
const messages = (from: number, to: number) => lines(from, to).map((l) => l.message);

test('a live stream behind the tail (the engine read the tail faster than it streamed): every line once, in order', (t) => {
  // seen on a loaded machine: the tail reached line 200 while the live stream had given 150..160
  t.deepEqual(joinWith(lines(1, 200), [lines(150, 160)], [lines(161, 199), lines(200, 230)]), messages(1, 230));
  t.deepEqual(joinWith(lines(1, 200), [], [lines(190, 215), lines(216, 230)]), messages(1, 230), 'nothing held yet');
  t.deepEqual(joinWith(lines(1, 200), [], [lines(201, 230)]), messages(1, 230), 'the live stream past the tail');
  t.deepEqual(
    joinWith(lines(101, 300), [lines(50, 120)], [lines(121, 320)]),
    messages(101, 320),
    'held from before the tail',
  );
});

test("the engine's timestamps order as text once their fractions are padded (Go drops trailing zeros)", (t) => {
  t.true(timeOrder('2026-12-03T19:20:01.1Z') > timeOrder('2026-12-03T19:20:01.09Z'));
  t.true(timeOrder('2026-12-03T19:20:01Z') < timeOrder('2026-12-03T19:20:01.000000001Z'));
  t.is(timeOrder('2026-12-03T19:20:01.123456789Z'), '2026-12-03T19:20:01.123456789');
  t.is(timeOrder('not a time'), 'not a time');
});

test('a message repeated in the log is never taken for the tail: lines differ by their timestamps', (t) => {
  const tick = (n: number): LogLine => ({ ...line(n), message: 'tick' });
  const ticks = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => tick(from + i));
  const sub = subscriber();
  const follower = new Follower(sub, 10_000_000, true);
  follower.deliverTail(batchOf(ticks(1, 200)));
  follower.joined(ticks(1, 200));
  follower.push(batchOf(ticks(201, 210)));
  t.is(sub.got.length, 210, 'the ten new ticks delivered');
});

test('however far the live stream lags or leads the tail, and however it is batched, the follower gets one unbroken run', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: -30, max: 40 }),
        fc.nat(80),
        fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 10 }),
        fc.nat(10),
        (tailFrom, tailCount, startOffset, liveCount, cuts, heldBatches) => {
          const tailTo = tailFrom + tailCount - 1;
          // the live lines start no later than right after the tail: the follower joined before it was read
          const liveFrom = Math.max(1, Math.min(tailTo + 1, tailFrom + startOffset));
          const liveTo = liveFrom + liveCount - 1;
          const live = lines(liveFrom, liveTo);
          const batches: LogLine[][] = [];
          for (let i = 0, c = 0; i < live.length; c++) {
            const size = cuts[c % cuts.length]!;
            batches.push(live.slice(i, i + size));
            i += size;
          }
          const held = batches.slice(0, Math.min(heldBatches, batches.length));
          const after = batches.slice(held.length);
          const got = joinWith(lines(tailFrom, tailTo), held, after);
          const expected = messages(tailFrom, Math.max(tailTo, liveTo));
          return JSON.stringify(got) === JSON.stringify(expected);
        },
      ),
    ),
  );
});

test('a joining follower holds live lines until its tail is given, then drops the ones the tail had', (t) => {
  const sub = subscriber();
  const follower = new Follower(sub, 1_000_000, true);
  follower.push(batchOf(lines(8, 10)));
  follower.push(batchOf(lines(11, 12)));
  t.deepEqual(sub.got, [], 'nothing live before the tail');
  const tail = lines(1, 9);
  follower.deliverTail(batchOf(tail));
  follower.joined(tail);
  t.deepEqual(
    sub.got.map((l) => l.message),
    lines(1, 12).map((l) => l.message),
    'every line once, in order',
  );
});

test('the end of the live stream reaches a follower after everything held for it', (t) => {
  const sub = subscriber(1);
  const follower = new Follower(sub, 1_000_000, false);
  follower.push(batchOf(lines(1, 1)));
  follower.push(batchOf(lines(2, 2)));
  follower.end({ reason: 'container stopped' });
  t.deepEqual(sub.ends, []);
  sub.open();
  follower.resume();
  t.is(sub.got.length, 2);
  t.deepEqual(sub.ends, [{ reason: 'container stopped' }]);
});

test('a follower that left is given nothing more and not told', (t) => {
  const sub = subscriber();
  const follower = new Follower(sub, 1_000_000, false);
  follower.leave();
  follower.push(batchOf(lines(1, 1)));
  follower.end({ reason: 'container stopped' });
  t.deepEqual(sub.got, []);
  t.deepEqual(sub.ends, []);
});

test('a follower whose transport is full when its tail ends gets the held lines only once it has room', (t) => {
  const sub = subscriber(1);
  const follower = new Follower(sub, 1_000_000, true);
  follower.push(batchOf(lines(3, 4)));
  const tail = lines(1, 2);
  follower.deliverTail(batchOf(tail));
  follower.joined(tail);
  t.deepEqual(
    sub.got.map((l) => l.message),
    ['line-1', 'line-2'],
    'nothing more into a full transport',
  );
  sub.open();
  follower.resume();
  t.deepEqual(
    sub.got.map((l) => l.message),
    lines(1, 4).map((l) => l.message),
  );
});
