/**
 * Pure parsing of the engine's log stream (GET /containers/{id}/logs?timestamps=true).
 *
 * Non-TTY containers: the stream is multiplexed in frames — an 8-byte header (stream type, three
 * zero bytes, payload length as uint32 big-endian) then the payload, one log message per frame, each
 * starting with the engine's RFC 3339 timestamp and a space. A line longer than the log driver's
 * buffer (16 KiB for json-file) arrives as several frames, only the last ending in a newline; HTTP
 * chunks cut frames anywhere.
 *
 * TTY containers: raw bytes, stdout only, each message as the driver read it from the terminal,
 * prefixed with its timestamp, with \r\n line ends. Only the timestamp that starts a line is taken
 * out: one standing mid-line (a write that did not end its line) cannot be told from the
 * application's own text, and the application's text is never altered.
 *
 * A line longer than MAX_LINE_BYTES is given in pieces of that size, each but the last marked `split`,
 * so that no client can make vigil hold an unbounded line.
 */

export type LogStreamName = 'stdout' | 'stderr';

export interface LogLine {
  /** The engine's timestamp of the line's first byte. */
  timestamp: string;
  stream: LogStreamName;
  message: string;
  /** The line went on past MAX_LINE_BYTES: the next line of this stream continues it. */
  split?: true;
}

/** The longest piece of one line held and sent at once. */
export const MAX_LINE_BYTES = 64 * 1024;

const engineTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2}) /;
const NEWLINE = 0x0a;
const SPACE = 0x20;

interface PendingLine {
  timestamp: string;
  parts: Buffer[];
  size: number;
}

function finishLine(pending: PendingLine, stream: LogStreamName): LogLine {
  // decoded only once the line is whole: a partial frame may end inside a multi-byte character
  let message = Buffer.concat(pending.parts).toString('utf8');
  if (message.endsWith('\r')) message = message.slice(0, -1);
  return { timestamp: pending.timestamp, stream, message };
}

/** Adds a piece to a line; when the line has grown past the cap, gives its first MAX_LINE_BYTES as a split line. */
function append(
  pending: PendingLine,
  piece: Buffer,
  stream: LogStreamName,
  out: LogLine[],
  label = (line: LogLine): LogLine => line,
): void {
  let rest = piece;
  while (pending.size + rest.length > MAX_LINE_BYTES) {
    const room = MAX_LINE_BYTES - pending.size;
    // cut before a UTF-8 continuation byte, so that no character is broken in two
    let cut = room;
    while (cut > 0 && cut < rest.length && (rest[cut]! & 0xc0) === 0x80) cut--;
    if (cut === 0 && pending.size === 0) cut = room;
    pending.parts.push(rest.subarray(0, cut));
    out.push(label({ ...finishLine(pending, stream), split: true }));
    pending.parts = [];
    pending.size = 0;
    rest = rest.subarray(cut);
  }
  if (rest.length > 0) {
    pending.parts.push(rest);
    pending.size += rest.length;
  }
}

/** Reassembles lines from a multiplexed (non-TTY) log stream. */
export class MultiplexedLogParser {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: Record<LogStreamName, PendingLine | null> = { stdout: null, stderr: null };

  push(chunk: Buffer): LogLine[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const lines: LogLine[] = [];
    let offset = 0;
    while (this.buffer.length - offset >= 8) {
      const size = this.buffer.readUInt32BE(offset + 4);
      if (this.buffer.length - offset - 8 < size) break;
      const type = this.buffer[offset]!;
      const payload = this.buffer.subarray(offset + 8, offset + 8 + size);
      offset += 8 + size;
      if (type === 1 || type === 2) this.frame(type === 1 ? 'stdout' : 'stderr', payload, lines);
    }
    this.buffer = this.buffer.subarray(offset);
    return lines;
  }

  /** The stream ended: lines still without their newline are given as they are. */
  end(): LogLine[] {
    const lines: LogLine[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const pending = this.pending[stream];
      if (pending) lines.push(finishLine(pending, stream));
      this.pending[stream] = null;
    }
    return lines;
  }

  private frame(stream: LogStreamName, payload: Buffer, out: LogLine[]): void {
    let body = payload;
    let timestamp = '';
    const space = payload.indexOf(SPACE);
    if (space > 0 && space <= 40 && engineTimestamp.test(payload.subarray(0, space + 1).toString('latin1'))) {
      timestamp = payload.subarray(0, space).toString('latin1');
      body = payload.subarray(space + 1);
    }
    let start = 0;
    for (;;) {
      const nl = body.indexOf(NEWLINE, start);
      const piece = body.subarray(start, nl < 0 ? body.length : nl);
      const pending = (this.pending[stream] ??= { timestamp, parts: [], size: 0 });
      append(pending, piece, stream, out);
      if (nl < 0) break;
      out.push(finishLine(pending, stream));
      this.pending[stream] = null;
      start = nl + 1;
      if (start >= body.length) break;
    }
  }
}

/** Splits a TTY container's raw log stream into lines. */
export class TtyLogParser {
  private pending: PendingLine | null = null;

  push(chunk: Buffer): LogLine[] {
    const lines: LogLine[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      const piece = chunk.subarray(start, nl < 0 ? chunk.length : nl);
      this.pending ??= { timestamp: '', parts: [], size: 0 };
      append(this.pending, piece, 'stdout', lines, (line) => this.stripLeading(line));
      if (nl < 0) break;
      lines.push(this.finish());
      start = nl + 1;
      if (start >= chunk.length) break;
    }
    return lines;
  }

  end(): LogLine[] {
    if (!this.pending || this.pending.parts.every((p) => p.length === 0)) return [];
    return [this.finish()];
  }

  private finish(): LogLine {
    const line = finishLine(this.pending!, 'stdout');
    this.pending = null;
    return this.stripLeading(line);
  }

  /** Takes out the engine's timestamp that starts a line, and no other. */
  private stripLeading(line: LogLine): LogLine {
    if (line.timestamp !== '') return line;
    const first = engineTimestamp.exec(line.message);
    if (!first) return line;
    const timestamp = first[0].trimEnd();
    // the pieces that follow a split line carry on with its timestamp
    if (line.split && this.pending) this.pending.timestamp = timestamp;
    return { ...line, timestamp, message: line.message.slice(first[0].length) };
  }
}

export function createLogParser(tty: boolean): MultiplexedLogParser | TtyLogParser {
  return tty ? new TtyLogParser() : new MultiplexedLogParser();
}
