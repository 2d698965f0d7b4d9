import test from 'ava';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MAX_LINE_BYTES, MultiplexedLogParser, TtyLogParser, type LogLine } from '../../../src/docker/parse/logs.js';

const raw = (name: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/engine/${name}`, import.meta.url)));

function parseInChunks(parser: MultiplexedLogParser | TtyLogParser, bytes: Buffer, size: number): LogLine[] {
  const lines: LogLine[] = [];
  for (let i = 0; i < bytes.length; i += size) lines.push(...parser.push(bytes.subarray(i, i + size)));
  return [...lines, ...parser.end()];
}

const expected = ['out-1', 'err-1', 'ünïcödé', 'x'.repeat(40000), 'out-last'];

for (const size of [1, 7, 1000, 1 << 20]) {
  test(`a recorded multiplexed stream cut into ${size}-byte chunks gives every line whole, in order`, (t) => {
    const lines = parseInChunks(new MultiplexedLogParser(), raw('logs-multiplexed.bin'), size);
    t.deepEqual(
      lines.map((l) => l.message),
      expected,
    );
    t.deepEqual(
      lines.map((l) => l.stream),
      ['stdout', 'stderr', 'stdout', 'stdout', 'stdout'],
    );
    for (const l of lines) t.regex(l.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
  });
}

test('the 40 000-byte line arrives in several frames and keeps the timestamp of its first', (t) => {
  const bytes = raw('logs-multiplexed.bin');
  let frames = 0;
  for (let o = 0; o < bytes.length; o += 8 + bytes.readUInt32BE(o + 4)) frames++;
  t.true(frames > expected.length, 'the driver split the long line');
  const long = new MultiplexedLogParser().push(bytes).find((l) => l.message.length === 40000)!;
  t.truthy(long.timestamp);
});

test('a line without its newline at the end of the stream is still given', (t) => {
  const frame = (type: number, text: string) => {
    const body = Buffer.from(text);
    const header = Buffer.alloc(8);
    header[0] = type;
    header.writeUInt32BE(body.length, 4);
    return Buffer.concat([header, body]);
  };
  const parser = new MultiplexedLogParser();
  t.deepEqual(parser.push(frame(2, '2026-11-22T06:00:00.000000001Z no newline')), []);
  t.deepEqual(parser.end(), [{ timestamp: '2026-11-22T06:00:00.000000001Z', stream: 'stderr', message: 'no newline' }]);
});

test('a recorded TTY stream: \\r\\n line ends, timestamps taken out, stdout only', (t) => {
  for (const size of [1, 5, 4096]) {
    const lines = parseInChunks(new TtyLogParser(), raw('logs-tty.bin'), size);
    t.deepEqual(
      lines.map((l) => l.message),
      ['tty-1', 'partial-rest', 'tty-last'],
    );
    t.true(lines.every((l) => l.stream === 'stdout' && /Z$/.test(l.timestamp)));
  }
});

test("a TTY line loses only the engine timestamp that starts it; the application's own timestamps stay", (t) => {
  const parser = new TtyLogParser();
  const lines = parser.push(Buffer.from('2026-11-22T06:00:00.1Z app says 2026-11-22T06:00:01.2Z started\r\n'));
  t.deepEqual(lines, [
    { timestamp: '2026-11-22T06:00:00.1Z', stream: 'stdout', message: 'app says 2026-11-22T06:00:01.2Z started' },
  ]);
});

test('a line longer than 64 KiB comes in 64 KiB pieces marked split, whole characters each, nothing lost', (t) => {
  const body = 'é'.repeat(70_000); // 140 000 bytes of two-byte characters
  for (const parser of [new TtyLogParser(), new MultiplexedLogParser()]) {
    const payload = Buffer.from(`2026-11-22T06:00:00.1Z ${body}\n`);
    const chunk =
      parser instanceof TtyLogParser ? payload : Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]), payload]);
    if (!(parser instanceof TtyLogParser)) chunk.writeUInt32BE(payload.length, 4);
    const lines = [...parser.push(chunk), ...parser.end()];
    t.is(lines.length, 3);
    t.deepEqual(
      lines.map((l) => l.split ?? false),
      [true, true, false],
    );
    t.true(lines.every((l) => Buffer.byteLength(l.message) <= MAX_LINE_BYTES));
    t.true(lines.every((l) => l.timestamp === '2026-11-22T06:00:00.1Z'));
    t.is(lines.map((l) => l.message).join(''), body);
  }
});

// Property: any sequence of lines, framed as the engine frames them and cut into arbitrary chunks,
// comes back whole, in order, on the right stream; a line past MAX_LINE_BYTES comes back in pieces.
const frame = (stream: 1 | 2, payload: Buffer) => {
  const header = Buffer.alloc(8);
  header.writeUInt8(stream, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};
const lineArb = fc.record({
  stream: fc.constantFrom(1 as const, 2 as const),
  message: fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 200 }).map((s) => s.replace(/[\n\r]/g, ' ')),
    fc.integer({ min: 1, max: 3 * MAX_LINE_BYTES }).map((n) => 'y'.repeat(n)),
  ),
});

test('property: framed lines cut anywhere come back whole, in order, on their stream', (t) => {
  fc.assert(
    fc.property(
      fc.array(lineArb, { maxLength: 8 }),
      fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 6 }),
      (lines, cuts) => {
        const bytes = Buffer.concat(
          lines.map((l) => frame(l.stream, Buffer.from(`2026-11-23T10:00:00.123456789Z ${l.message}\n`))),
        );
        const parser = new MultiplexedLogParser();
        const out: LogLine[] = [];
        let at = 0;
        for (let i = 0; at < bytes.length; i++) {
          const size = cuts[i % cuts.length]!;
          out.push(...parser.push(bytes.subarray(at, at + size)));
          at += size;
        }
        out.push(...parser.end());
        // split pieces of one line rejoin into the line
        const joined: { stream: string; message: string }[] = [];
        let carry: LogLine | null = null;
        for (const l of out) {
          t.true(Buffer.byteLength(l.message) <= MAX_LINE_BYTES);
          const message: string = (carry?.message ?? '') + l.message;
          if (l.split) carry = { ...l, message };
          else {
            joined.push({ stream: l.stream, message });
            carry = null;
          }
        }
        t.deepEqual(
          joined,
          lines.map((l) => ({ stream: l.stream === 1 ? 'stdout' : 'stderr', message: l.message })),
        );
      },
    ),
    { numRuns: 150, seed: 42 },
  );
});

test('property: arbitrary bytes never throw, and every line given is within the cap', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 4096 }), fc.boolean(), (bytes, tty) => {
      const parser = tty ? new TtyLogParser() : new MultiplexedLogParser();
      const lines = [...parser.push(Buffer.from(bytes)), ...parser.end()];
      for (const l of lines) t.true(Buffer.byteLength(l.message) <= MAX_LINE_BYTES);
    }),
    { numRuns: 500, seed: 7 },
  );
});
