import type { LogLine } from '../docker/parse/logs.js';

/** Lines parsed from one chunk of the engine's stream, with their size counted once for every follower. */
export interface LogBatch {
  readonly lines: readonly LogLine[];
  /** About what the lines take in memory (their text and a little for each line). */
  readonly bytes: number;
}

/** Why a follower's stream ended: the container stopped or went, the engine closed it, or it was too slow. */
export interface LogEnd {
  reason: string;
  [detail: string]: unknown;
}

/** What the pump hands lines to: an SSE response now, a WebSocket client of a `logs` topic later. */
export interface LogSubscriber {
  /**
   * Takes lines, in order. False when its transport is full: it has taken this batch, and the pump
   * holds what follows (within the follower's bound) until the subscriber calls `resume()`.
   */
  deliver(batch: LogBatch): boolean;
  /** Once, at the end; after it nothing more is delivered. */
  end(end: LogEnd): void;
}

const LINE_OVERHEAD_BYTES = 48;

export function batchOf(lines: readonly LogLine[]): LogBatch {
  let bytes = 0;
  for (const line of lines) bytes += line.message.length + line.timestamp.length + LINE_OVERHEAD_BYTES;
  return { lines, bytes };
}

const sameLine = (a: LogLine, b: LogLine): boolean =>
  a.timestamp === b.timestamp && a.stream === b.stream && a.message === b.message && a.split === b.split;

/**
 * Pure: how many of the first `live` lines the tail covers. A new follower's tail is read by a request
 * of its own while the live stream goes on, so the tail ends among the live lines held meanwhile.
 * Usually the held lines start inside the tail: those written between the follower joining and the
 * tail being read are in both, and are given once. On a busy container more lines than the tail's
 * count can be written before the engine reads it; the tail then lies wholly among the held lines,
 * and the held lines before it are dropped too, so the follower sees one unbroken run either way.
 * Found from the tail's last line back: a line repeated in the log is not taken for it unless the
 * lines before it match as well.
 */
export function linesTheTailCovers(tail: readonly LogLine[], live: readonly LogLine[]): number {
  if (tail.length === 0 || live.length === 0) return 0;
  const last = tail.length - 1;
  for (let end = 0; end < live.length; end++) {
    if (!sameLine(live[end]!, tail[last]!)) continue;
    const span = Math.min(end + 1, tail.length);
    let k = 1;
    while (k < span && sameLine(live[end - k]!, tail[last - k]!)) k++;
    if (k === span) return end + 1;
  }
  return 0;
}

/**
 * The tail's lines the live stream has yet to deliver, when the live stream is behind the tail (the
 * engine read the tail faster than it streamed the same lines live, as on a loaded machine): `anchored`
 * once the live lines were found in it, before that only where they may be.
 */
export interface TailAhead {
  lines: readonly LogLine[];
  anchored: boolean;
}

/** Whether `a` from `i` and `b` from `j` agree on every line both have. */
function runsAgree(a: readonly LogLine[], i: number, b: readonly LogLine[], j: number): boolean {
  const overlap = Math.min(a.length - i, b.length - j);
  for (let k = 0; k < overlap; k++) if (!sameLine(a[i + k]!, b[j + k]!)) return false;
  return true;
}

/**
 * Pure: an engine timestamp (RFC 3339 with up to nine digits of seconds, trailing zeros dropped, as Go
 * writes it) in a form whose order as text is its order in time.
 */
export function timeOrder(timestamp: string): string {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(timestamp);
  return match ? `${match[1]}.${(match[2] ?? '').padEnd(9, '0')}` : timestamp;
}

/**
 * Pure: how many of `live`'s first lines the follower has no use for while the live stream is behind
 * the tail, and what of the tail is still ahead (null once the live stream has passed the tail's end).
 * Unanchored, lines older than the tail's first are dropped (a busy container wrote more than the
 * tail's count before the tail was read), and the rest looked for in the tail: found, they are lines
 * it gave again; not, and the live stream is past the tail. Lines carry the engine's nanosecond
 * timestamps, so a message repeated in the log is never taken for another.
 */
export function skipBehindTail(ahead: TailAhead, live: readonly LogLine[]): { skip: number; ahead: TailAhead | null } {
  let rest = ahead.lines;
  let before = 0;
  if (!ahead.anchored && rest.length > 0) {
    const first = timeOrder(rest[0]!.timestamp);
    while (before < live.length && timeOrder(live[before]!.timestamp) < first) before++;
    if (before === live.length) return { skip: before, ahead };
    const inside = rest.findIndex((_, p) => runsAgree(rest, p, live, before));
    if (inside < 0) return { skip: before, ahead: null };
    rest = rest.slice(inside);
  }
  let k = 0;
  while (before + k < live.length && k < rest.length && sameLine(rest[k]!, live[before + k]!)) k++;
  const left = rest.slice(k);
  // the tail's end passed, or a line of its own where the tail went on: the live stream leads from here
  const passed = left.length === 0 || before + k < live.length;
  return { skip: before + k, ahead: passed ? null : { lines: left, anchored: true } };
}

/** Pure: a batch without its first `n` lines. */
export function dropLines(batches: readonly LogBatch[], n: number): LogBatch[] {
  const out: LogBatch[] = [];
  let left = n;
  for (const batch of batches) {
    if (left >= batch.lines.length) {
      left -= batch.lines.length;
      continue;
    }
    out.push(left === 0 ? batch : batchOf(batch.lines.slice(left)));
    left = 0;
  }
  return out;
}

/**
 * One follower of a container's log, as the pump keeps it: delivered to while its transport has room;
 * otherwise what follows waits here, up to `maxBytes`, and past that the follower is cut as too slow
 * (the live stream is never paused for one slow reader: the others would fall behind with it).
 * While it joins (its tail still being read), live lines wait here too.
 */
export class Follower {
  private queue: LogBatch[] = [];
  private queuedBytes = 0;
  private full = false;
  private joining: boolean;
  /** The tail's lines the live stream has yet to reach: those it delivers again are dropped. */
  private tailAhead: TailAhead | null = null;
  private pendingEnd: LogEnd | null = null;
  private finished = false;

  constructor(
    private readonly subscriber: LogSubscriber,
    private readonly maxBytes: number,
    joining: boolean,
  ) {
    this.joining = joining;
  }

  get buffered(): number {
    return this.queuedBytes;
  }

  get done(): boolean {
    return this.finished;
  }

  /** Whether its transport has room (tail lines are delivered only then). */
  get ready(): boolean {
    return !this.full;
  }

  /** A live batch: delivered, or held. False when the follower was cut for it. */
  push(batch: LogBatch): boolean {
    if (this.finished) return false;
    if (this.tailAhead) {
      const { skip, ahead } = skipBehindTail(this.tailAhead, batch.lines);
      this.tailAhead = ahead;
      if (skip === batch.lines.length) return true;
      if (skip > 0) batch = batchOf(batch.lines.slice(skip));
    }
    if (this.joining || this.full || this.queue.length > 0) {
      this.queue.push(batch);
      this.queuedBytes += batch.bytes;
      if (this.queuedBytes > this.maxBytes) {
        this.cut(
          `too slow: this follower fell more than ${Math.round(this.maxBytes / 1024)} KiB behind the container's log`,
        );
        return false;
      }
      return true;
    }
    this.full = !this.subscriber.deliver(batch);
    return true;
  }

  /** A batch of its own tail, delivered straight away (the tail reader waits for `ready`). */
  deliverTail(batch: LogBatch): void {
    if (this.finished || batch.lines.length === 0) return;
    this.full = !this.subscriber.deliver(batch);
  }

  /** The tail is all given: the live lines it already held are dropped, and the rest follow it. */
  joined(tail: readonly LogLine[]): void {
    if (!this.joining) return;
    this.joining = false;
    const held = this.queue.flatMap((b) => b.lines);
    let n = linesTheTailCovers(tail, held);
    if (n === 0 && tail.length > 0) {
      // the tail's end is not among the held lines: the live stream may be behind the tail still
      const behind = skipBehindTail({ lines: tail, anchored: false }, held);
      n = behind.skip;
      this.tailAhead = held.length === 0 ? { lines: tail, anchored: false } : behind.ahead;
    }
    if (n > 0) {
      this.queue = dropLines(this.queue, n);
      this.queuedBytes = this.queue.reduce((sum, b) => sum + b.bytes, 0);
    }
    this.flush();
  }

  /** Its transport has room again. */
  resume(): void {
    this.full = false;
    this.flush();
  }

  /** What it holds, delivered while its transport takes it; then the end, if the stream has ended. */
  private flush(): void {
    if (this.finished || this.joining) return;
    while (this.queue.length > 0 && !this.full) {
      const batch = this.queue.shift()!;
      this.queuedBytes -= batch.bytes;
      this.full = !this.subscriber.deliver(batch);
    }
    if (this.queue.length === 0 && this.pendingEnd) this.finish(this.pendingEnd);
  }

  /** The live stream ended: the follower is told once everything held for it is delivered. */
  end(end: LogEnd): void {
    if (this.finished) return;
    if (this.joining || this.queue.length > 0) this.pendingEnd = end;
    else this.finish(end);
  }

  /** Ends it now, dropping what it holds. */
  cut(reason: string): void {
    this.queue = [];
    this.queuedBytes = 0;
    this.finish({ reason });
  }

  /** It left: nothing more is delivered, and it is not told. */
  leave(): void {
    this.finished = true;
    this.queue = [];
    this.queuedBytes = 0;
  }

  private finish(end: LogEnd): void {
    if (this.finished) return;
    this.finished = true;
    this.subscriber.end(end);
  }
}
