import test from 'ava';
import fc from 'fast-check';
import {
  appendLines,
  filterLines,
  isLogLine,
  parseSseLog,
  prependLines,
  type LogLine,
} from '../../web/src/log-lines.js';

const line = (second: number, message: string, stream: 'stdout' | 'stderr' = 'stdout'): LogLine => ({
  timestamp: `2026-12-01T10:00:${String(second).padStart(2, '0')}.000000000Z`,
  stream,
  message,
});

test('a reopened stream sends its tail again: each line is held once', (t) => {
  const first = [line(1, 'a'), line(2, 'b')];
  let held = appendLines([], first);
  // the tail again, and then one new line, as a follow reopened after a dropped socket sends them
  held = appendLines(held, [...first, line(3, 'c')]);
  t.deepEqual(
    held.map((l) => l.message),
    ['a', 'b', 'c'],
  );
});

test('two different lines with the same timestamp are both held; the same one twice is held once', (t) => {
  const held = appendLines([line(1, 'a')], [line(1, 'b'), line(1, 'a'), line(1, 'b', 'stderr')]);
  t.deepEqual(
    held.map((l) => `${l.message}/${l.stream}`),
    ['a/stdout', 'b/stdout', 'b/stderr'],
  );
});

test('property: appending any tail of what is held again changes nothing', (t) => {
  const lines = fc
    .array(fc.tuple(fc.integer({ min: 0, max: 59 }), fc.constantFrom('x', 'y', 'z')), { maxLength: 40 })
    .map((xs) => xs.sort((a, b) => a[0] - b[0]).map(([s, m]) => line(s, m)));
  t.notThrows(() =>
    fc.assert(
      fc.property(lines, fc.nat(), (ls, cut) => {
        const held = appendLines([], ls);
        const again = appendLines(held, held.slice(cut % (held.length + 1)));
        if (JSON.stringify(again) !== JSON.stringify(held)) throw new Error('a line was held twice');
      }),
    ),
  );
});

test('the oldest lines go when more than the most are held', (t) => {
  const held = appendLines([], [line(1, 'a'), line(2, 'b'), line(3, 'c')], 2);
  t.deepEqual(
    held.map((l) => l.message),
    ['b', 'c'],
  );
});

test('earlier lines go before the held ones, without those already held', (t) => {
  const held = [line(3, 'c'), line(4, 'd')];
  const read = [line(1, 'a'), line(2, 'b'), line(3, 'c'), line(4, 'd')];
  t.deepEqual(
    prependLines(held, read).map((l) => l.message),
    ['a', 'b', 'c', 'd'],
  );
  t.deepEqual(prependLines([], read), read);
});

test('search: any case, anywhere in the message; and by stream', (t) => {
  const lines = [line(1, 'GET /health 200'), line(2, 'boom: Error', 'stderr'), line(3, 'get /x')];
  t.deepEqual(
    filterLines(lines, 'get', 'all').map((l) => l.message),
    ['GET /health 200', 'get /x'],
  );
  t.deepEqual(
    filterLines(lines, '', 'stderr').map((l) => l.message),
    ['boom: Error'],
  );
});

test('the log lines of an SSE body, the end frame and anything not a line left out', (t) => {
  const body = [
    `event: log\ndata: ${JSON.stringify(line(1, 'a'))}`,
    `event: log\ndata: ${JSON.stringify({ timestamp: 1, stream: 'stdout', message: 'x' })}`,
    `event: end\ndata: {"reason":"complete"}`,
    '',
  ].join('\n\n');
  t.deepEqual(parseSseLog(body), [line(1, 'a')]);
  t.false(isLogLine({ timestamp: 't', stream: 'tty', message: 'm' }));
});
