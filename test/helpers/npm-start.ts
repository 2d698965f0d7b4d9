import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './engine.js';
import { freePort } from './net.js';
import { makeTempDir, removeDir } from './temp-dir.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));

export interface Started {
  child: ChildProcess;
  output: () => string;
  /** From the spawn to the first 200 of /health/live. */
  liveAfterMs: number;
  stop: () => Promise<void>;
}

/** `npm start` in the repository, with no engine and a data directory of its own. */
export function npmStart(timeoutMs: number): Promise<Started> {
  return started(['npm', 'start'], timeoutMs);
}

/** vigil's own start, without npm or the build step: what the machine takes to boot it at all. */
export function bareStart(timeoutMs: number): Promise<Started> {
  const flags = ['--max-semi-space-size=4', '--single-threaded-gc', '--no-opt'];
  return started([process.execPath, ...flags, 'dist/main.js'], timeoutMs);
}

async function started([command, ...args]: string[], timeoutMs: number): Promise<Started> {
  const port = await freePort();
  const dataDir = makeTempDir('start');
  const spawnedAt = Date.now();
  const child = spawn(command!, args, {
    cwd: repo,
    env: {
      ...process.env,
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
      VIGIL_LISTEN: `127.0.0.1:${port}`,
      VIGIL_DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    } catch {
      // gone already
    }
    removeDir(dataDir);
  };
  try {
    await waitFor(
      () =>
        fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(1000) }).then(
          (r) => r.status === 200,
        ),
      { what: 'vigil live', timeoutMs, intervalMs: 25 },
    );
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${output}`);
  }
  return { child, output: () => output, liveAfterMs: Date.now() - spawnedAt, stop };
}
