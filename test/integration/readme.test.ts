import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { docker, testDockerHost, waitFor } from '../helpers/engine.js';
import { freePort } from '../helpers/net.js';
import { tempDir } from '../helpers/temp-dir.js';

// The README's commands as written. Every ```sh block carries a marker in the line before it:
//   <!-- readme-test: stack -->  the monitoring stack's block, its `up -d` run as `config` (no images here)
//   <!-- readme-test: demo -->   started, left running for the `curl` blocks, then stopped as Ctrl-C does
//   <!-- readme-test: curl -->   run as written against the demo's vigil
//   <!-- readme-test: skip <why> -->  not run here, and why
// A block without a marker fails the suite: a new command must say whether it runs.
const exec = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(join(repo, 'README.md'), 'utf8');

interface Block {
  line: number;
  kind: 'stack' | 'demo' | 'curl' | 'skip' | 'unmarked';
  reason: string;
  code: string;
}

function shBlocks(text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```sh') continue;
    const end = lines.findIndex((l, j) => j > i && l.trim() === '```');
    const marker = /^<!-- readme-test: (stack|demo|curl|skip)\s*(.*?)\s*-->$/.exec(lines[i - 1]?.trim() ?? '');
    blocks.push({
      line: i + 1,
      kind: (marker?.[1] as Block['kind'] | undefined) ?? 'unmarked',
      reason: marker?.[2] ?? '',
      code: lines.slice(i + 1, end).join('\n'),
    });
    i = end;
  }
  return blocks;
}

const blocks = shBlocks(readme);
const bash = (code: string, cwd: string, env: NodeJS.ProcessEnv) =>
  exec('bash', ['-euo', 'pipefail', '-c', code], { cwd, env, maxBuffer: 16 * 1024 * 1024 }).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );
/** The environment of a new shell: none of the settings a block must set itself. */
const cleanEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('VIGIL_') || key === 'GRAFANA_ADMIN_PASSWORD') delete env[key];
  return env;
};

test('every sh block of the README says whether the suite runs it, and why not when it does not', (t) => {
  t.true(blocks.length >= 5);
  for (const b of blocks) {
    t.not(b.kind, 'unmarked', `README.md line ${b.line}: mark the block with <!-- readme-test: … -->`);
    if (b.kind === 'skip') t.true(b.reason.length >= 10, `README.md line ${b.line}: say why it is skipped`);
  }
  for (const kind of ['stack', 'demo', 'curl'] as const)
    t.true(
      blocks.some((b) => b.kind === kind),
      `a ${kind} block`,
    );
});

test('the monitoring stack block runs as written (up -d as config) in a fresh copy, its secrets set by itself', async (t) => {
  const dir = tempDir(t, 'readme-stack');
  for (const path of ['docker-compose.monitoring.yml', 'alertmanager', 'prometheus', 'grafana', 'vigil.yml'])
    cpSync(join(repo, path), join(dir, path), { recursive: true });
  for (const b of blocks.filter((x) => x.kind === 'stack')) {
    const code = b.code.replace(/ up -d\s*$/m, ' config');
    t.not(code, b.code, 'the block brings the stack up with up -d');
    const r = await bash(code, dir, cleanEnv());
    t.is(r.code, 0, `README.md line ${b.line}:\n${r.err}`);
    t.regex(r.out, /GF_SECURITY_ADMIN_PASSWORD: \S{8,}/);
    t.regex(r.out, /VIGIL_API_TOKEN: \S{16,}/);
  }
});

test('the image build context holds only what the Dockerfile copies, after a demo and a test run', async (t) => {
  const dir = tempDir(t, 'readme-context');
  for (const path of ['.dockerignore', 'package.json', 'package-lock.json', 'tsconfig.json', 'src', 'web'])
    cpSync(join(repo, path), join(dir, path), { recursive: true });
  // what runs leave behind: engines with root-only data, vigil's store, the stack's secrets
  const leftovers = [
    '.demo/engine/data/overlay2/x',
    '.test-engine/data/x',
    'data/vigil.db',
    'alertmanager/vigil-token',
    'grafana/admin-password',
    'test/artifacts/page.png',
    'node_modules/x/index.js',
    'web/dist/main.js',
    '.git/HEAD',
  ];
  for (const path of leftovers) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), 'left behind');
  }
  // the context as the engine receives it, copied whole into an image that needs nothing pulled
  const dockerfile = join(tempDir(t, 'readme-df'), 'Dockerfile');
  writeFileSync(dockerfile, 'FROM scratch\nCOPY . /context/\n');
  const tag = `vigil-readme-context:${process.pid}`;
  await exec('docker', ['-H', testDockerHost(), 'build', '-q', '-f', dockerfile, '-t', tag, dir], {
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
  });
  t.teardown(() => docker(['rmi', '-f', tag]).catch(() => undefined));
  const id = await docker(['create', tag, 'none']);
  t.teardown(() => docker(['rm', '-f', id]).catch(() => undefined));
  const { stdout } = await exec('bash', ['-c', `docker -H ${testDockerHost()} export ${id} | tar -t`], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const files = stdout.split('\n').map((f) => f.replace(/^context\//, ''));
  for (const path of leftovers) t.false(files.includes(path), `${path} is not in the build context`);
  for (const path of ['package.json', 'package-lock.json', 'src/main.ts', 'web/src/main.ts'])
    t.true(files.includes(path), `${path} is in the build context`);
});

test('the demo block starts the demo; the curl blocks answer against it; Ctrl-C removes it all', async (t) => {
  const demo = blocks.find((b) => b.kind === 'demo')!;
  // the one difference from a person's terminal: a port of its own, as other demos may run here
  const port = await freePort();
  const child = spawn('bash', ['-c', demo.code], {
    cwd: repo,
    env: { ...cleanEnv(), VIGIL_DEMO_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const interrupt = () => {
    try {
      process.kill(-child.pid!, 'SIGINT');
    } catch {
      // gone already
    }
  };
  t.teardown(interrupt);
  await waitFor(() => output.includes('vigil is watching'), { what: 'the demo ready', timeoutMs: 120_000 });
  for (const b of blocks.filter((x) => x.kind === 'curl')) {
    const code = b.code.replaceAll('127.0.0.1:9323', `127.0.0.1:${port}`);
    const r = await bash(code, repo, cleanEnv());
    t.is(r.code, 0, `README.md line ${b.line}:\n${r.err}`);
    t.regex(r.out, /"crashloop"/, 'the health answer lists the demo containers');
    t.regex(r.out, /docker_container_health_status\{/);
    t.regex(r.out, /mem-near-limit/, 'docker ps on the demo engine');
  }
  interrupt();
  const interruptedAt = Date.now();
  await waitFor(() => /demo: (all gone|processes left)/.exec(output), {
    what: 'the demo cleaned up',
    timeoutMs: 120_000,
  }).catch((err: unknown) => {
    t.log(`what the demo said:\n${output}`);
    throw err;
  });
  t.log(`cleaned up ${Date.now() - interruptedAt} ms after Ctrl-C`);
  t.regex(output, /all gone: no engine, no containers, no shims/);
  // and every process of the block has ended: the leak check around `npm run demo` (its VIGIL_TEST_RUN
  // taken away with the other VIGIL_ variables) removes its temp dir last, and a suite that ended first
  // once found that dir left in its own
  const groupGone = () => {
    try {
      process.kill(-child.pid!, 0);
      return false;
    } catch {
      return true;
    }
  };
  await waitFor(groupGone, { what: "the demo block's processes ended", timeoutMs: 30_000 });
});
