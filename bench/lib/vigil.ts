import type { StdioOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain JavaScript (npm start's build step), with no declarations
import { buildChanged } from '../../scripts/build-changed.js';
import { spawnGroup, type GroupChild } from '../../test/helpers/process-group.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** The node flags of `npm start`, or BENCH_NODE_FLAGS instead, to weigh another set on the same machine. */
export function nodeFlags(): string[] {
  const override = process.env.BENCH_NODE_FLAGS;
  if (override !== undefined) return override.split(/\s+/).filter(Boolean);
  const startScript = (JSON.parse(readFileSync(`${repo}package.json`, 'utf8')) as { scripts: { start: string } })
    .scripts.start;
  // `node <flags…> dist/main.js`
  return startScript.split(/\s+/).slice(1, -1);
}

/** node's arguments for vigil from dist/ as `npm start` runs it: its node flags, then the entry point. */
export function builtVigilArgs(): string[] {
  return [...nodeFlags(), `${repo}dist/main.js`];
}

/**
 * vigil from dist/ as its own process, as `npm start` runs it (what changed built first, as `npm start`
 * builds it), in a process group of its own that ends with the benchmark however the benchmark ends.
 * Every benchmark and the soak start vigil through this, so that what they measure is what `npm start` runs.
 */
export function spawnBuiltVigil(
  env: Record<string, string>,
  stdio: StdioOptions = ['ignore', 'ignore', 'inherit'],
): GroupChild {
  (buildChanged as () => void)();
  return spawnGroup(process.execPath, builtVigilArgs(), { env: { ...process.env, ...env }, stdio });
}

/** vigil from dist/ as its own process, with the node flags `npm start` uses, ready to be measured. */
export async function startBuiltVigil(
  port: number,
  env: Record<string, string>,
  seesContainers: number,
): Promise<{ child: GroupChild; url: string }> {
  const child = spawnBuiltVigil({ VIGIL_LISTEN: `127.0.0.1:${port}`, VIGIL_LOG_LEVEL: 'warn', ...env });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vigil exited with ${child.exitCode}`);
    const text = await fetch(`${url}/metrics`).then(
      (r) => (r.ok ? r.text() : ''),
      () => '',
    );
    if ((text.match(/^docker_container_cpu_usage_seconds_total\{/gm) ?? []).length >= seesContainers) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return { child, url };
}
