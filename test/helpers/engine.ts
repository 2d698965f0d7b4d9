import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Integration tests need the private test engine that `npm test` starts; without it they fail, loudly. */
export function testDockerHost(): string {
  const host = process.env.DOCKER_HOST;
  if (!host?.startsWith('unix://')) {
    throw new Error(
      'DOCKER_HOST is not set to the test engine: run the suite with `npm test`, which starts one (scripts/with-test-engine.sh)',
    );
  }
  return host;
}

export const testImage = process.env.VIGIL_TEST_IMAGE ?? 'vigil-test:latest';

export async function docker(args: string[], host = testDockerHost()): Promise<string> {
  const { stdout } = await run('docker', ['-H', host, ...args], { maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

export function uniqueName(prefix: string): string {
  return `vt-${prefix}-${randomBytes(3).toString('hex')}`;
}

/** `docker run -d --network none` with the test image; returns the full id. */
export async function runContainer(name: string, options: string[], command: string[], host?: string): Promise<string> {
  return docker(['run', '-d', '--name', name, '--network', 'none', ...options, testImage, ...command], host);
}

/**
 * Runs `command` in the container to end its main process's run (a crash on cue, a signal to PID 1).
 * As the main process ends, the kernel kills every other process of the container, the exec's own among
 * them if it has not exited yet, and docker exec answers 137. That run ended as asked, so a 137 counts
 * once the engine shows the run finished after the exec began; any other failure is the test's.
 */
export async function execEndingTheRun(name: string, command: string[], host?: string): Promise<void> {
  const began = Date.now();
  try {
    await docker(['exec', name, ...command], host);
  } catch (err) {
    if ((err as { code?: unknown }).code !== 137) throw err;
    const finishedAt = Date.parse(await docker(['inspect', '-f', '{{.State.FinishedAt}}', name], host));
    // the engine stamps FinishedAt to the nanosecond and Date.now() to the millisecond
    if (!(finishedAt >= began - 1)) throw err;
  }
}

export async function removeContainers(names: string[], host?: string): Promise<void> {
  if (names.length > 0) await docker(['rm', '-f', ...names], host).catch(() => undefined);
}

/** The engine's own answer, straight from its socket (not through vigil's code). */
export function engineGet<T>(path: string, host = testDockerHost()): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: host.slice('unix://'.length), path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 500) >= 300) reject(new Error(`engine ${path}: ${res.statusCode} ${body}`));
        else resolve(JSON.parse(body) as T);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeoutMs = 15_000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      // an Error's fields are not its own enumerable ones: JSON.stringify said "{}" of every one
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last instanceof Error ? last.message : JSON.stringify(last)}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
