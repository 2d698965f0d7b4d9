import { createServer, request, Agent } from 'node:http';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { ServiceProcess } from '../../test/helpers/service-process.js';
import { percentile, round } from './proc.js';

/** What Prometheus 2.42 sends with every scrape. */
export const PROMETHEUS_SCRAPE_HEADERS = {
  Accept:
    'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,' +
    'text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
  'Accept-Encoding': 'gzip',
};

const summarise = (ms: number[]) => ({
  scrapes: ms.length,
  avgMs: round(ms.reduce((a, b) => a + b, 0) / ms.length, 2),
  p99Ms: round(percentile(ms, 99), 2),
  maxMs: round(Math.max(...ms), 2),
});

/** Request to the last byte of the (still compressed) body, on a kept-alive connection as Prometheus does. */
function timedScrape(url: string, agent: Agent): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = request(`${url}/metrics`, { agent, headers: PROMETHEUS_SCRAPE_HEADERS }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Cold scrapes: one per sweep, sent the moment vigil says a sweep ended (its WebSocket pushes the new
 * stats then), with Prometheus's headers. This is the scrape that meets a freshly invalidated cache.
 */
export async function coldScrapes(url: string, count: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const socket = new WebSocket(`${url.replace('http', 'ws')}/api/v1/ws`);
  const times: number[] = [];
  let bytes = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      socket.on('error', reject);
      socket.on('open', () => socket.send(JSON.stringify({ type: 'subscribe', topics: ['stats'] })));
      let first = true;
      let busy = false;
      socket.on('message', (data: Buffer) => {
        if (!data.toString('utf8', 0, 40).includes('"stats"') || busy) return;
        // the first push is the state at subscription, not the end of a sweep
        if (first) return void (first = false);
        busy = true;
        timedScrape(url, agent).then(
          (r) => {
            times.push(r.ms);
            bytes = r.bytes;
            busy = false;
            if (times.length >= count) resolve();
          },
          (err: Error) => reject(err),
        );
      });
    });
  } finally {
    socket.close();
    agent.destroy();
  }
  return { ...summarise(times), gzipBytes: bytes };
}

/**
 * Debian's Prometheus scraping vigil at the sample interval for `seconds`, then asked what it saw:
 * its own scrape_duration_seconds and scrape_samples_scraped for the job. The scrapes of its first
 * `warmSeconds` (a new connection, Prometheus itself still starting on the same two cores) are left out.
 * `onWindow` is called when the measured window opens.
 */
export async function prometheusScrapes(
  target: string,
  floorTarget: string,
  port: number,
  intervalSeconds: number,
  seconds: number,
  warmSeconds: number,
  onWindow: () => void,
) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-prom-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      `  scrape_interval: ${intervalSeconds}s`,
      `  scrape_timeout: ${intervalSeconds}s`,
      'scrape_configs:',
      '  - job_name: vigil',
      '    static_configs:',
      `      - targets: ['${target}']`,
      // the same bytes from a server that does nothing else: what Prometheus's own work costs
      '  - job_name: floor',
      '    static_configs:',
      `      - targets: ['${floorTarget}']`,
      '',
    ].join('\n'),
  );
  const url = `http://127.0.0.1:${port}`;
  const prometheus = await ServiceProcess.start({
    command: 'prometheus',
    packageName: 'prometheus',
    args: [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    ready: { url: `${url}/-/ready` },
  });
  try {
    await new Promise((r) => setTimeout(r, warmSeconds * 1000));
    onWindow();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const window = `${seconds}s`;
    const query = async (expr: string): Promise<number> => {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
      return Number(body.data.result[0]?.value[1] ?? NaN);
    };
    const duration = 'scrape_duration_seconds{job="vigil"}';
    const floor = 'scrape_duration_seconds{job="floor"}';
    return {
      floorAvgMs: round((await query(`avg_over_time(${floor}[${window}])`)) * 1000, 2),
      floorMaxMs: round((await query(`max_over_time(${floor}[${window}])`)) * 1000, 2),
      scrapes: await query(`count_over_time(${duration}[${window}])`),
      avgMs: round((await query(`avg_over_time(${duration}[${window}])`)) * 1000, 2),
      p99Ms: round((await query(`quantile_over_time(0.99, ${duration}[${window}])`)) * 1000, 2),
      maxMs: round((await query(`max_over_time(${duration}[${window}])`)) * 1000, 2),
      samplesScraped: await query('scrape_samples_scraped{job="vigil"}'),
      up: await query(`min_over_time(up{job="vigil"}[${window}])`),
    };
  } finally {
    await prometheus.stop();
  }
}

/**
 * A server that answers every scrape with fixed, already gzipped bytes (vigil's exposition captured
 * once): Prometheus's scrape_duration_seconds of it is the floor its own parsing and appending set.
 */
export async function staticExposition(body: Buffer, port: number): Promise<{ close(): void }> {
  const gz = gzipSync(body, { level: 1 });
  const server = createServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
      'content-encoding': 'gzip',
      'content-length': gz.length,
    });
    res.end(gz);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { close: () => server.close() };
}
