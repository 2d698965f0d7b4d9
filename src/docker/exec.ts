import { readFileSync } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import type Docker from 'dockerode';

/** What one command run in a container through the engine's exec API came to. */
export interface ExecOutcome {
  /** Its exit code; null when it did not end within the timeout, or could not be run. */
  exitCode: number | null;
  /** stdout and stderr together, the first `outputLimit` bytes. */
  output: string;
  timedOut: boolean;
  /** For a timed-out run: whether its process was ended (else it may still run in the container). */
  killed?: boolean;
}

export interface ExecOptions {
  timeoutMs: number;
  /** Bytes of output kept; the rest is read and dropped. */
  outputLimit: number;
  /** Where the host's /proc is visible (VIGIL_PROC_ROOT): to find a hung process's pid inside the container. */
  procRoot: string;
}

/**
 * Runs `argv` in a running container (no shell: the engine executes argv[0] itself), reads its output up
 * to a bound, and at the timeout stops waiting and ends the process: the engine's exec API has no kill,
 * so it is signalled by its pid, from here when vigil shares the engine's pid namespace, else by a
 * `kill` run in the container itself.
 */
export async function execInContainer(
  docker: Docker,
  id: string,
  argv: readonly string[],
  options: ExecOptions,
): Promise<ExecOutcome> {
  const abort = new AbortController();
  const container = docker.getContainer(id);
  let execId: string | null = null;
  const deadline = new Promise<'timeout'>((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
    abort.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  });
  const run = (async () => {
    const exec = await container.exec({
      Cmd: [...argv],
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      abortSignal: abort.signal,
    });
    execId = exec.id;
    const stream = (await exec.start({ hijack: true, stdin: false, abortSignal: abort.signal })) as Readable;
    const output = await readBounded(docker, stream, options.outputLimit, abort.signal);
    const inspected = (await exec.inspect({ abortSignal: abort.signal } as object)) as { ExitCode: number | null };
    return { exitCode: inspected.ExitCode, output };
  })();
  try {
    const first = await Promise.race([run, deadline]);
    if (first !== 'timeout') return { ...first, timedOut: false };
    run.catch(() => undefined);
    const killed = execId !== null && (await endHungExec(docker, id, execId, argv, options.procRoot));
    return { exitCode: null, output: `timed out after ${options.timeoutMs} ms`, timedOut: true, killed };
  } catch (err) {
    return { exitCode: null, output: `could not run: ${(err as Error).message}`, timedOut: false };
  } finally {
    abort.abort();
  }
}

/** The exec's stdout and stderr, demultiplexed, up to `limit` bytes; resolves when the stream ends. */
function readBounded(docker: Docker, stream: Readable, limit: number, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => {
      if (kept >= limit) return;
      const part = chunk.subarray(0, limit - kept);
      chunks.push(part);
      kept += part.length;
    });
    docker.modem.demuxStream(stream, sink, sink);
    const done = () => resolve(Buffer.concat(chunks).toString('utf8'));
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', (err) => reject(err));
    signal.addEventListener('abort', () => stream.destroy(), { once: true });
  });
}

/**
 * Ends a hung exec's process. The engine gives its pid in the engine's namespace: signalled from here
 * only when that pid here is that very process (same namespace: vigil beside the engine on the host),
 * else found by its pid inside the container (the host's /proc, NSpid) and killed there. False when
 * neither could be done; the next run is then not started while it still runs.
 */
async function endHungExec(
  docker: Docker,
  containerId: string,
  execId: string,
  argv: readonly string[],
  procRoot: string,
): Promise<boolean> {
  const exec = docker.getExec(execId);
  const signal = AbortSignal.timeout(5000);
  let info: { Running: boolean; Pid: number };
  try {
    info = await exec.inspect({ abortSignal: signal } as object);
  } catch {
    return false;
  }
  if (!info.Running) return true;
  if (info.Pid > 0 && cmdlineIs(`/proc/${info.Pid}/cmdline`, argv)) {
    try {
      process.kill(info.Pid, 'SIGKILL');
      return true;
    } catch {
      // not ours to signal: try from inside the container
    }
  }
  const inner = info.Pid > 0 ? innerPid(`${procRoot}/${info.Pid}/status`) : null;
  if (inner === null) return false;
  try {
    const killer = await docker.getContainer(containerId).exec({ Cmd: ['kill', '-9', String(inner)] });
    const stream = (await killer.start({ hijack: true, stdin: false })) as Readable;
    stream.resume();
    await new Promise((resolve) => stream.on('close', resolve).on('end', resolve).on('error', resolve));
    const after = (await exec.inspect({ abortSignal: AbortSignal.timeout(5000) } as object)) as { Running: boolean };
    return !after.Running;
  } catch {
    return false;
  }
}

/** Whether the process at this /proc path runs exactly `argv`: a pid of another namespace is never signalled. */
function cmdlineIs(path: string, argv: readonly string[]): boolean {
  try {
    const cmdline = readFileSync(path, 'utf8');
    return cmdline === `${argv.join('\0')}\0`;
  } catch {
    return false;
  }
}

/** The innermost pid in a process's /proc/<pid>/status (NSpid's last field): its pid inside the container. */
export function innerPid(path: string): number | null {
  try {
    const line = readFileSync(path, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('NSpid:'));
    const last = line?.trim().split(/\s+/).at(-1);
    const pid = Number(last);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
