import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The repository's root, with its trailing slash. */
export const repo = fileURLToPath(new URL('../../', import.meta.url));

export const exec = promisify(execFile);

/**
 * The private test engine a benchmark runs on (its `npm run bench:…` script starts one through
 * scripts/with-test-engine.sh), the test image, and the docker CLI on that engine. Run any other way,
 * it throws naming the script: a benchmark must never touch another engine.
 */
export function benchEngine(script: string) {
  const dockerHost = process.env.DOCKER_HOST;
  const engineDir = process.env.VIGIL_TEST_ENGINE_DIR;
  if (!dockerHost?.startsWith('unix://') || !engineDir)
    throw new Error(`run through \`npm run ${script}\`, which starts the test engine`);
  return {
    dockerHost,
    engineDir,
    image: process.env.VIGIL_TEST_IMAGE ?? 'vigil-test:latest',
    docker: (args: string[]) => exec('docker', ['-H', dockerHost, ...args], { maxBuffer: 64 << 20 }),
  };
}

/**
 * A benchmark's figures, as bench/results/<name>-<stamp>.json and, with `latest`, <name>-latest.json
 * too (the figures of the flags users run; a trial of others is kept under its stamp only). Returns
 * the stamped file's path in the repository.
 */
export function writeResults(name: string, at: string, figures: unknown, latest = true): string {
  mkdirSync(`${repo}bench/results`, { recursive: true });
  const json = `${JSON.stringify(figures, null, 2)}\n`;
  const file = `bench/results/${name}-${at.replace(/[:.]/g, '-')}.json`;
  writeFileSync(`${repo}${file}`, json);
  if (latest) writeFileSync(`${repo}bench/results/${name}-latest.json`, json);
  return file;
}
