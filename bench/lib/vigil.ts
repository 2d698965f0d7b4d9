import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** vigil from dist/ as its own process, with the node flags `npm start` uses, ready to be measured. */
export async function startBuiltVigil(
  port: number,
  env: Record<string, string>,
  seesContainers: number,
): Promise<{ child: ChildProcess; url: string }> {
  const startScript = (JSON.parse(readFileSync(`${repo}package.json`, 'utf8')) as { scripts: { start: string } })
    .scripts.start;
  const nodeArgs = startScript.split(/\s+/).slice(1);
  const child = spawn(
    process.execPath,
    nodeArgs.map((a) => (a.startsWith('dist/') ? `${repo}${a}` : a)),
    {
      env: { ...process.env, VIGIL_LISTEN: `127.0.0.1:${port}`, VIGIL_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
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
