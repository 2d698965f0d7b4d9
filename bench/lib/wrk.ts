import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { round } from './proc.js';

/** wrk's --latency report: percentiles with their units, the request rate, errors. */
export function parseWrk(text: string) {
  const ms = (value: string, unit: string) =>
    Number(value) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 } as Record<string, number>)[unit]!;
  const percentile = (p: string) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(text);
    return m ? round(ms(m[1]!, m[2]!), 2) : NaN;
  };
  const max = /^\s*Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)/m.exec(text);
  return {
    requests: Number(/(\d+) requests in/.exec(text)?.[1] ?? NaN),
    requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN),
    latencyMsP50: percentile('50'),
    latencyMsP99: percentile('99'),
    latencyMsMax: max ? round(ms(max[1]!, max[2]!), 2) : NaN,
    errors:
      Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0) +
      Number(/Socket errors: .*?(\d+)/.exec(text)?.[1] ?? 0),
  };
}

/**
 * Warm scrapes: one connection asking back to back, so nearly every request finds the exposition
 * ready. wrk is native, so the load generator takes little of the two cores from vigil.
 */
export async function warmScrapes(url: string, seconds: number, headers: Record<string, string>) {
  const headerArgs = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
  const { stdout } = await promisify(execFile)('wrk', [
    '-t1',
    '-c1',
    `-d${seconds}s`,
    '--latency',
    ...headerArgs,
    `${url}/metrics`,
  ]);
  return parseWrk(stdout);
}
