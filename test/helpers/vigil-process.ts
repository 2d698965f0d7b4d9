import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitFor } from './engine.js';
import { freePort } from './net.js';
import { spawnGroup, type GroupChild } from './process-group.js';
import { vigilEntryArgs } from './vigil-entry.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));

export interface VigilProcess {
  /** In a process group of its own: ended with the test process, whatever becomes of the test. */
  child: GroupChild;
  url: string;
  /** Every JSON log line vigil wrote, parsed. */
  logs: { level: number; msg: string; [key: string]: unknown }[];
  /** Raw output, for grepping. */
  output(): string;
  /** Resident memory now and at its peak (VmHWM), in MB. */
  rssMb(): { now: number; peak: number };
  stop(signal?: NodeJS.Signals): Promise<void>;
  /**
   * Resolves once vigil's first boot round has run (src/recovery/boot), with what it told of: 'host' on
   * a host booted in the last 15 minutes (a fresh CI machine: a "Host back" notice and a recovery.boot
   * event that a test counting its own must leave out), 'vigil' or 'engine', or null for nothing.
   * Needs VIGIL_LOG_LEVEL info or lower.
   */
  startRound(timeoutMs?: number): Promise<{ restarted: string | null }>;
}

/**
 * vigil as its own process (its entry point, vigil-entry.ts, or node's `argv` instead: the benchmarks and the soak
 * run dist/ with `npm start`'s flags, bench/lib/vigil.ts), so that its memory and its logs are its own.
 */
export async function spawnVigil(
  env: Record<string, string>,
  options: { argv?: string[]; port?: () => Promise<number> } = {},
): Promise<VigilProcess> {
  // a port another test file picked too (freePort draws at random) is drawn again, not a failure
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnVigilOn(await (options.port ?? freePort)(), env, options.argv);
    } catch (err) {
      if (!(err instanceof PortTaken) || attempt === 3) throw err;
    }
  }
}

/** vigil exited at start because its port was taken. */
export class PortTaken extends Error {}

async function spawnVigilOn(port: number, env: Record<string, string>, given?: string[]): Promise<VigilProcess> {
  const argv = given ?? ['--max-semi-space-size=4', ...vigilEntryArgs()];
  const child = spawnGroup(process.execPath, argv, {
    cwd: repo,
    env: { ...process.env, VIGIL_LISTEN: `127.0.0.1:${port}`, VIGIL_LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  const logs: VigilProcess['logs'] = [];
  let partial = '';
  child.stdout!.on('data', (c: Buffer) => {
    chunks.push(c.toString());
    partial += c.toString();
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (line.startsWith('{')) logs.push(JSON.parse(line) as VigilProcess['logs'][number]);
  });
  child.stderr!.on('data', (c: Buffer) => chunks.push(c.toString()));
  const url = `http://127.0.0.1:${port}`;
  let exited: string | null = null;
  child.once('exit', (code, signal) => (exited = `exited with ${signal ?? code}`));
  // a vigil that exits (a port taken between freePort() and its listen, a bad setting) or never gets
  // live says why: its output is in the error, not lost with the process
  const said = () => chunks.join('').slice(-3000);
  // each ask bounded: a port some other server holds may accept and never answer
  const live = async () => (await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(2000) })).status === 200;
  await waitFor(async () => exited !== null || (await live()), {
    what: 'vigil live',
    timeoutMs: 30_000,
  }).catch((err: Error) => {
    throw new Error(`${err.message}; vigil's output:\n${said()}`);
  });
  if (exited !== null) {
    const why = `vigil ${exited as string} before it was live; its output:\n${said()}`;
    throw /EADDRINUSE/.test(said()) ? new PortTaken(why) : new Error(why);
  }
  const kb = (field: string) =>
    Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
  return {
    child,
    url,
    logs,
    output: () => chunks.join(''),
    rssMb: () => ({ now: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 }),
    stop: (signal = 'SIGTERM') => child.stopGroup(signal),
    async startRound(timeoutMs = 30_000) {
      const line = await waitFor(() => logs.find((l) => l.msg.startsWith('reconciled after restart')), {
        what: "vigil's first boot round (its log line, at info)",
        timeoutMs,
      });
      return { restarted: typeof line.restarted === 'string' ? line.restarted : null };
    },
  };
}
