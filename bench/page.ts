/**
 * The live page's cost: 200 containers on the test engine, vigil as its own process (sampling every
 * 5 s, as Prometheus scrapes), then three phases of one minute each:
 *   1. no client: vigil's CPU per minute, and /metrics scraped once per sweep with gzip (cold);
 *   2. 100 WebSocket clients subscribed as the page is (health and events): CPU per update (sweep) and per
 *      client, messages and bytes each client gets, and the same /metrics figure beside it;
 *   3. 10 cold page loads in Debian's chromium: first contentful paint, time to the containers table,
 *      bytes transferred; then 5 cold loads of a container's detail view switched to its 7-day charts:
 *      time to the CPU line drawn, and the series answer's size. The page's gzipped size beside them.
 * Prints the figures and writes them to bench/results/page.json; asserts nothing.
 *
 *   npm run bench:page                  # 200 containers, 100 clients
 *   BENCH_CONTAINERS=50 BENCH_SECONDS=20 npm run bench:page
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import pLimit from 'p-limit';
import { chromium } from 'playwright-core';
import WebSocket from 'ws';
import { spawnVigil } from '../test/helpers/vigil-process.js';
import { benchEngine, exec, repo } from './lib/bench-engine.js';

const { dockerHost, image, docker } = benchEngine('bench:page');
const containers = Number(process.env.BENCH_CONTAINERS ?? 200);
const clients = Number(process.env.BENCH_CLIENTS ?? 100);
const seconds = Number(process.env.BENCH_SECONDS ?? 60);
const intervalSeconds = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, digits = 2) => Number(n.toFixed(digits));
const cpuSecondsOf = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

await exec('npm', ['run', '-s', 'build:web'], { cwd: repo });
const limit = pLimit(6);
await Promise.all(
  Array.from({ length: containers }, (_, i) =>
    limit(() =>
      docker([
        'run',
        '-d',
        '--network',
        'none',
        '--label',
        'vigil.bench=page',
        '--name',
        `page-bench-${i}`,
        image,
        'sleep',
        '1000000',
      ]),
    ),
  ),
);
console.log(`${containers} containers running`);
const vigil = await spawnVigil({
  DOCKER_HOST: dockerHost,
  VIGIL_DATA_DIR: mkdtempSync(join(tmpdir(), 'vigil-bench-page-')),
  VIGIL_SAMPLE_INTERVAL_SECONDS: String(intervalSeconds),
  VIGIL_LOG_LEVEL: 'warn',
  VIGIL_STREAMS_MAX: String(clients + 50),
  VIGIL_STREAMS_PER_CLIENT: String(clients + 50),
});
const pid = vigil.child.pid!;
for (let i = 0; i < 100; i++) {
  const ready = (await (await fetch(`${vigil.url}/health/ready`)).json()) as { status: string };
  if (ready.status === 'ok') break;
  await sleep(200);
}

/** Scrapes /metrics once per sweep, as Prometheus does, with its headers; vigil's CPU over the phase. */
async function phase(): Promise<{ cpuPerMinute: number; scrapeMs: { avg: number; max: number }; sweeps: number }> {
  const scrapes: number[] = [];
  const started = Date.now();
  const cpu0 = cpuSecondsOf(pid);
  while (Date.now() - started < seconds * 1000) {
    await sleep(intervalSeconds * 1000);
    const t0 = performance.now();
    // raw bytes, as Prometheus reads them: fetch would decompress behind our back
    const { body, encoding } = await new Promise<{ body: Buffer; encoding: string | undefined }>((resolve, reject) => {
      const headers = { accept: 'text/plain;version=0.0.4;q=0.5,*/*;q=0.1', 'accept-encoding': 'gzip' };
      request(`${vigil.url}/metrics`, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ body: Buffer.concat(chunks), encoding: res.headers['content-encoding'] }));
      })
        .on('error', reject)
        .end();
    });
    if (encoding === 'gzip') gunzipSync(body);
    scrapes.push(performance.now() - t0);
  }
  const cpu = cpuSecondsOf(pid) - cpu0;
  const elapsedMin = (Date.now() - started) / 60_000;
  return {
    cpuPerMinute: round(cpu / elapsedMin, 3),
    scrapeMs: { avg: round(scrapes.reduce((a, b) => a + b, 0) / scrapes.length), max: round(Math.max(...scrapes)) },
    sweeps: Math.round((Date.now() - started) / (intervalSeconds * 1000)),
  };
}

// the first sweeps after start (inventory sync, JIT) are not the steady state
await sleep(Number(process.env.BENCH_WARMUP_SECONDS ?? 30) * 1000);
const idle = await phase();
console.log('no clients', idle);

const sockets = await Promise.all(
  Array.from(
    { length: clients },
    () =>
      new Promise<{ socket: WebSocket; messages: number; bytes: number }>((resolve, reject) => {
        const socket = new WebSocket(`${vigil.url.replace('http', 'ws')}/api/v1/ws`);
        const client = { socket, messages: 0, bytes: 0 };
        socket.on('message', (data: Buffer) => {
          client.messages++;
          client.bytes += data.length;
        });
        socket.once('open', () => {
          // as the page subscribes: its charts read vigil's history, not the stats topic
          socket.send(JSON.stringify({ type: 'subscribe', topics: ['health', 'events'] }));
          resolve(client);
        });
        socket.once('error', reject);
      }),
  ),
);
const withClients = await phase();
const perUpdateMs = ((withClients.cpuPerMinute - idle.cpuPerMinute) * 1000) / (60 / intervalSeconds);
const messages = sockets.reduce((s, c) => s + c.messages, 0) / clients;
const bytes = sockets.reduce((s, c) => s + c.bytes, 0) / clients;
for (const c of sockets) c.socket.terminate();
const live = {
  clients,
  ...withClients,
  extraCpuMsPerUpdate: round(perUpdateMs),
  extraCpuMsPerUpdatePerClient: round(perUpdateMs / clients, 3),
  messagesPerClient: Math.round(messages),
  kbPerClient: round(bytes / 1024, 1),
};
console.log(`${clients} WebSocket clients`, live);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
const loads: { firstPaintMs: number; tableMs: number; transferredKb: number }[] = [];
for (let i = 0; i < 10; i++) {
  const context = await browser.newContext(); // cold: no cache, no cookies
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(vigil.url);
  await page.locator('tbody tr').first().waitFor({ timeout: 30_000 });
  const tableMs = Date.now() - t0;
  const figures = await page.evaluate(() => {
    const paint = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1;
    const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    return { paint, bytes: resources.reduce((s, r) => s + r.transferSize, nav.transferSize) };
  });
  loads.push({ firstPaintMs: round(figures.paint, 0), tableMs, transferredKb: round(figures.bytes / 1024, 1) });
  await context.close();
}
// the detail view of one container with its 7-day charts: time to the CPU line drawn over 7 d, and the
// series answer's size (vigil's own history: one point per 10 minutes over a week at most)
const details: { chartMs: number; seriesKb: number }[] = [];
for (let i = 0; i < 5; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(`${vigil.url}/containers/page-bench-${i}`);
  const answer = page.waitForResponse((r) => r.url().includes('/series?range=7d'));
  await page.getByRole('button', { name: '7 d' }).click();
  const body = await (await answer).body();
  await page
    .locator('figure[data-chart="CPU (of a core)"] path.series[d^="M"]')
    .first()
    .waitFor({ state: 'attached', timeout: 30_000 });
  details.push({ chartMs: Date.now() - t0, seriesKb: round(body.length / 1024, 1) });
  await context.close();
}
await browser.close();
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const pageFigures = {
  loads: loads.length,
  firstPaintMs: {
    median: sorted(loads.map((l) => l.firstPaintMs))[5],
    max: Math.max(...loads.map((l) => l.firstPaintMs)),
  },
  containersTableMs: { median: sorted(loads.map((l) => l.tableMs))[5], max: Math.max(...loads.map((l) => l.tableMs)) },
  transferredKb: loads[0]!.transferredKb,
};
console.log('cold page loads', pageFigures);
const detailFigures = {
  loads: details.length,
  sevenDayChartMs: {
    median: sorted(details.map((d) => d.chartMs))[2],
    max: Math.max(...details.map((d) => d.chartMs)),
  },
  seriesKb: Math.max(...details.map((d) => d.seriesKb)),
};
console.log('detail view with a 7-day chart', detailFigures);
const gzippedKb = round(
  ['app.js.gz', 'app.css.gz', 'index.html.gz'].reduce((n, f) => n + readFileSync(join(repo, 'web/dist', f)).length, 0) /
    1024,
  1,
);
console.log(`the page: ${gzippedKb} KB gzipped (budget 100 KB)`);

const rssMb = round(vigil.rssMb().peak, 0);
await vigil.stop();
const ids = (await docker(['ps', '-aq', '--filter', 'label=vigil.bench=page'])).stdout.split('\n').filter(Boolean);
if (ids.length > 0) await docker(['rm', '-f', ...ids]);
mkdirSync(join(repo, 'bench/results'), { recursive: true });
const result = {
  date: new Date().toISOString(),
  containers,
  intervalSeconds,
  idle,
  live,
  page: { ...pageFigures, gzippedKb },
  detail: detailFigures,
  rssMb,
};
writeFileSync(join(repo, 'bench/results/page.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
