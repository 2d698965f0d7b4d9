import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** Process groups this process started and has not yet seen end. */
const groups = new Set<number>();

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** What else must not outlive this process (a private engine), ended synchronously at its end. */
const endings = new Set<() => void>();

/** Has `end` run when this process ends before its owner ended it; returns what takes it back. */
export function atEnd(end: () => void): () => void {
  endings.add(end);
  return () => endings.delete(end);
}

/** Kills every group still alive; on exit, and on the signals ava and a person stop a run with. */
function endAll(): void {
  for (const pgid of groups) killGroup(pgid, 'SIGKILL');
  groups.clear();
  for (const end of endings) {
    try {
      end();
    } catch {
      // the next one still runs
    }
  }
  endings.clear();
}
process.once('exit', endAll);
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  // ava stops a test file that timed out with SIGTERM: its children go with it, not to init; then the
  // signal is raised again, and does what it would have done
  process.once(signal, () => {
    endAll();
    process.kill(process.pid, signal);
  });
}

/**
 * A child in a process group of its own (its children in it too), killed with the whole group when the
 * test process exits however it exits: a failed or timed-out test leaves none of it behind. The child
 * and its pipes hold nothing open, so a file whose test forgot one still ends (and ends it); `stop`
 * holds them again while it waits.
 */
export function spawnGroup(command: string, args: readonly string[], options: SpawnOptions = {}): GroupChild {
  const child = spawn(command, args, { ...options, detached: true });
  const pgid = child.pid;
  if (pgid !== undefined) groups.add(pgid);
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as { unref?: () => void } | null)?.unref?.();
  return Object.assign(child, {
    stopGroup(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
      if (pgid === undefined) return Promise.resolve();
      const done = child.exitCode !== null || child.signalCode !== null;
      const exited = done ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.ref();
      killGroup(pgid, signal);
      return exited.then(() => {
        // what the leader left in its group (a shell's children) goes with it
        killGroup(pgid, 'SIGKILL');
        groups.delete(pgid);
        child.unref();
      });
    },
  });
}

export type GroupChild = ChildProcess & {
  /** Signals the whole group and resolves once the leader has exited; then kills what is left of it. */
  stopGroup(signal?: NodeJS.Signals): Promise<void>;
};
