// Pure: the log viewer's lines. A followed log that reopens (the socket dropped, the container started
// again) is asked for its tail once more; what comes back is laid against what is loaded by the engine's
// timestamps, so each line is held once. No DOM: test/web/log-lines.test.ts reads it.

import type { LogLine } from '../../src/docker/parse/logs.js';

export type { LogLine } from '../../src/docker/parse/logs.js';

/** The most lines the viewer holds; the oldest go first. */
export const MAX_LINES = 5000;

const sameLine = (a: LogLine, b: LogLine) =>
  a.timestamp === b.timestamp && a.stream === b.stream && a.message === b.message;

/**
 * Pure: the lines held after more arrive at the end. A line older than the newest held is one already
 * seen (a reopened stream sends its tail again); one with the newest held's timestamp is kept unless the
 * very same line is held.
 */
export function appendLines(held: readonly LogLine[], more: readonly LogLine[], max = MAX_LINES): LogLine[] {
  const out = [...held];
  for (const line of more) {
    const newest = out.at(-1)?.timestamp;
    if (newest !== undefined && line.timestamp < newest) continue;
    if (newest !== undefined && line.timestamp === newest) {
      let seen = false;
      for (let i = out.length - 1; i >= 0 && out[i]!.timestamp === newest; i--)
        if (sameLine(out[i]!, line)) seen = true;
      if (seen) continue;
    }
    out.push(line);
  }
  return out.length > max ? out.slice(out.length - max) : out;
}

/** Pure: earlier lines (read with a larger tail) put before the held ones, without the ones held already. */
export function prependLines(held: readonly LogLine[], earlier: readonly LogLine[], max = MAX_LINES): LogLine[] {
  const oldest = held[0];
  if (!oldest) return earlier.slice(-max);
  const before = earlier.filter(
    (l) => l.timestamp < oldest.timestamp || (l.timestamp === oldest.timestamp && !held.some((h) => sameLine(h, l))),
  );
  return [...before, ...held].slice(0, max);
}

/** Pure: the held lines a search shows: the text anywhere in the message, any case; stdout/stderr or both. */
export function filterLines(lines: readonly LogLine[], text: string, stream: 'all' | 'stdout' | 'stderr'): LogLine[] {
  const needle = text.toLowerCase();
  return lines.filter(
    (l) => (stream === 'all' || l.stream === stream) && (needle === '' || l.message.toLowerCase().includes(needle)),
  );
}

/** Pure: the log lines in an SSE body of GET /api/v1/containers/:id/logs?follow=false. */
export function parseSseLog(body: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const frame of body.split('\n\n')) {
    const event = /^event: (.*)$/m.exec(frame)?.[1];
    const data = /^data: (.*)$/m.exec(frame)?.[1];
    if (event !== 'log' || data === undefined) continue;
    const parsed: unknown = JSON.parse(data);
    if (isLogLine(parsed)) lines.push(parsed);
  }
  return lines;
}

/** Pure: whether a value from the wire has a log line's shape (the page checks instead of casting). */
export function isLogLine(v: unknown): v is LogLine {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.timestamp === 'string' && (o.stream === 'stdout' || o.stream === 'stderr') && typeof o.message === 'string'
  );
}

/** Pure: "12:03:04.120" of an RFC 3339 timestamp, in the browser's time zone. */
export function lineTime(timestamp: string): string {
  const d = new Date(timestamp);
  if (Number.isNaN(d.getTime())) return timestamp;
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}
