import test from 'ava';
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
