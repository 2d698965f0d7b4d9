import { get } from 'node:http';

// Followers of a container's log through vigil, and the sockets vigil holds: for bench:logs and the soak.

export interface FollowerFigures {
  lines: number;
  /** Every line's number was the one after the line before. */
  inOrder: boolean;
  lagMaxMs: number;
  lagP95Ms: number;
  /** The `event: end` data when vigil ended the stream (a cut says "too slow"). */
  end: string | null;
}

export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

/** The awk program of a container writing `rate` numbered lines a second, 50 at a time. */
export function linesAtRate(rate: number, prefix = 'fan'): string[] {
  // a pause after each 50 unless it is behind `rate` lines a second (srand() returns the time of its
  // previous call, to the second)
  return [
    'awk',
    `BEGIN { srand(); start = srand(); for (i = 1; ; i++) { print "${prefix}-" i " the quick brown fox jumps over the lazy dog, and again, and again"; if (i % 50 == 0) { fflush(); if (i >= ${rate} * (srand() - start)) system("sleep 0.05") } } }`,
  ];
}

/**
 * One follower: counts lines, checks their numbers run on, keeps each line's lag behind the engine's
 * timestamp. A `stalled` one reads nothing until `resume()`.
 */
export function follow(
  url: string,
  ref: string,
  options: { headers?: Record<string, string>; stalled?: boolean; prefix?: string } = {},
) {
  const lags: number[] = [];
  const marker = `"message":"${options.prefix ?? 'fan'}-`;
  let last = 0;
  let inOrder = true;
  let end: string | null = null;
  let ended = false;
  let buffer = '';
  let response: import('node:http').IncomingMessage | null = null;
  const req = get(
    `${url}/api/v1/containers/${ref}/logs?tail=0&follow=true`,
    { agent: false, headers: options.headers ?? {} },
    (res) => {
      response = res;
      res.setEncoding('utf8');
      if (options.stalled) res.pause();
      res.on('close', () => (ended = true));
      res.on('data', (chunk: string) => {
        const now = Date.now();
        buffer += chunk;
        let pos = 0;
        let i: number;
        // scanned in place: a string cut per event was most of this reader's time at 50,000 lines a second
        while ((i = buffer.indexOf('\n\n', pos)) >= 0) {
          const start = pos;
          pos = i + 2;
          if (buffer.startsWith('event: end', start)) end = buffer.slice(buffer.indexOf('data: ', start) + 6, i);
          if (!buffer.startsWith('event: log', start)) continue;
          const ts = buffer.indexOf('"timestamp":"', start) + 13;
          lags.push(now - Date.parse(buffer.slice(ts, buffer.indexOf('"', ts))));
          const at = buffer.indexOf(marker, ts) + marker.length;
          const n = parseInt(buffer.slice(at, at + 12), 10);
          if (last !== 0 && n !== last + 1) inOrder = false;
          last = n;
        }
        buffer = buffer.slice(pos);
      });
    },
  );
  req.on('error', () => (ended = true));
  return {
    figures: (): FollowerFigures => {
      const sorted = [...lags].sort((a, b) => a - b);
      return { lines: lags.length, inOrder, lagMaxMs: sorted.at(-1) ?? 0, lagP95Ms: percentile(sorted, 0.95), end };
    },
    get ended() {
      return ended;
    },
    resume: () => response?.resume(),
    close: () => req.destroy(),
  };
}
