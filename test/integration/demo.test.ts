import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { waitFor } from '../helpers/engine.js';
import { freePort } from '../helpers/net.js';

// `npm run demo` as a newcomer runs it: within a minute of the command the page's feed and the history
// show the medic restart the crash-looper with its reason and give up on it, leave alone a container
// a person stopped, and restart a sidecar after its owner came back. The docker command it prints
// reaches its engine. Ctrl-C (SIGINT to its process group, as a terminal sends it) leaves nothing.
const repo = fileURLToPath(new URL('../../', import.meta.url));
// a dir of its own: readme.test.ts runs the README's `npm run demo` in .demo/ at the same time, and two
// demos in one dir once took each other's engine away (this one's Ctrl-C then never finished)
const demoDir = join(tmpdir(), `vigil-demo-${randomBytes(4).toString('hex')}`);

interface History {
  intents: { desired: string; reason: string }[];
  actions: { action: string; outcome?: string; reason: string; trigger?: string }[];
}

/** Processes whose command line names the demo's directory: its engine, containerd and shims. */
function demoProcesses(): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(demoDir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

// "within a minute" (the demo's promise) is its schedule on an idle machine: here the time is logged, and
// the test waits on what the feed shows, not on the loaded machine's clock
test('the demo shows the medic at work, in the feed and the history, and cleans up on Ctrl-C', async (t) => {
  const port = await freePort();
  const started = Date.now();
  const demo = spawn('npm', ['run', 'demo'], {
    cwd: repo,
    env: { ...process.env, VIGIL_DEMO_PORT: String(port), VIGIL_DEMO_DIR: demoDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  demo.stdout.on('data', (c: Buffer) => (output += c.toString()));
  demo.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
  const interrupt = () => {
    try {
      process.kill(-demo.pid!, 'SIGINT');
    } catch {
      // already gone
    }
  };
  t.teardown(interrupt);

  const base = `http://127.0.0.1:${port}`;
  await waitFor(() => output.includes('vigil is watching'), { what: 'the demo ready', timeoutMs: 120_000 });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(base);
  const feed = page.locator('section[aria-label="Live feed"] li');
  const feedLine = (name: string, pattern: RegExp) => async () =>
    (await feed.allInnerTexts()).find((line) => line.includes(name) && pattern.test(line));
  const seen: Record<string, string> = {};
  const expectations: [string, string, RegExp][] = [
    ['restart with its reason', 'crashloop', /vigil start: success — crashed with exit code 1/],
    ['gave up, and says so', 'crashloop', /vigil gave up after 3 attempts: .*needs a person/],
    ['a stopped container left alone', 'worker', /stopped on request .*vigil leaves it stopped/],
    ['the sidecar followed its owner', 'db', /came back; what depends on it followed: db-sidecar restart success$/],
  ];
  for (const [what, name, pattern] of expectations) {
    seen[what] = await waitFor(feedLine(name, pattern), { what: `the feed: ${what}`, timeoutMs: 60_000 });
  }
  const elapsed = (Date.now() - started) / 1000;
  t.log(`all four in the feed ${elapsed.toFixed(1)} s after npm run demo`);
  for (const line of Object.values(seen)) t.log(line);

  const history = async (name: string) => (await (await fetch(`${base}/api/v1/history/${name}`)).json()) as History;
  const crashloop = await history('crashloop');
  t.deepEqual(
    crashloop.actions.map((a) => a.action),
    ['start', 'start', 'start', 'give-up'],
  );
  t.regex(crashloop.actions[0]!.reason, /crashed with exit code 1/);
  const worker = await history('worker');
  t.is(worker.intents.at(-1)?.desired, 'stopped');
  t.regex(worker.intents.at(-1)!.reason, /stopped on request/);
  t.deepEqual(worker.actions, [], 'nothing done to a container a person stopped');
  const sidecar = await history('db-sidecar');
  t.true(
    sidecar.actions.some((a) => a.action === 'restart' && a.trigger === 'dependency' && /db came back/.test(a.reason)),
  );

  // a second demo in the same dir refuses, and leaves this one's engine and vigil be
  const second = await new Promise<{ code: number | null; said: string }>((resolve) => {
    const other = spawn('npm', ['run', 'demo'], {
      cwd: repo,
      env: { ...process.env, VIGIL_DEMO_PORT: String(port + 1), VIGIL_DEMO_DIR: demoDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let said = '';
    other.stdout.on('data', (c: Buffer) => (said += c.toString()));
    other.stderr.on('data', (c: Buffer) => (said += c.toString()));
    other.once('exit', (code) => resolve({ code, said }));
  });
  t.is(second.code, 1, second.said);
  t.true(second.said.includes(`runs in ${demoDir}: stop it first`), second.said);
  t.is((await fetch(`${base}/health/ready`)).status, 200, "the first demo's vigil still answers");

  // the one docker command it prints reaches its engine
  const command = /docker -H (unix:\/\/\S+) ps -a/.exec(output);
  t.truthy(command, 'the demo prints its docker command');
  const listed = await new Promise<string>((resolve, reject) => {
    const ps = spawn('docker', ['-H', command![1]!, 'ps', '-a', '--format', '{{.Names}}']);
    let out = '';
    ps.stdout.on('data', (c: Buffer) => (out += c.toString()));
    ps.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`docker ps exited ${code}`))));
  });
  for (const name of ['crashloop', 'worker', 'db', 'db-sidecar', 'web'])
    t.true(listed.split('\n').includes(name), name);

  // npm itself dies of the SIGINT, as in a terminal; the demo goes on cleaning up, and says when it is done
  interrupt();
  await exited;
  await waitFor(() => output.includes('demo: all gone') || output.includes('demo: processes left'), {
    what: 'the demo to finish cleaning up',
    timeoutMs: 120_000,
  }).catch((err: Error) => {
    // what the demo said of its cleanup (each slow step says how long it took) is the lead
    throw new Error(`${err.message}; the demo's last words:\n${output.split('\n').slice(-15).join('\n')}`);
  });
  t.log(`cleaned up ${((Date.now() - started) / 1000).toFixed(1)} s after npm run demo`);
  for (const line of output.split('\n').filter((l) => / took \d/.test(l))) t.log(line);
  t.regex(output, /all gone: no engine, no containers, no shims/);
  t.deepEqual(demoProcesses(), [], 'no engine, containerd or shim of the demo left');
  t.false(existsSync(demoDir), '.demo removed');
});
