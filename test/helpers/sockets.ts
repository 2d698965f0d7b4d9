import { execFileSync } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

// The sockets a process holds, read from /proc: for the tests that count vigil's connections, and the bench.

/** Inodes of a process's open sockets. */
export function socketsOf(pid: number | 'self'): Set<string> {
  const fds = `/proc/${pid}/fd`;
  const inodes = new Set<string>();
  for (const fd of readdirSync(fds)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(join(fds, fd)));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** A process's connections that an engine accepted on its unix socket (the engine's ends, with this peer). */
export function engineConnectionsOf(pid: number, engineSocket: string): number {
  const mine = socketsOf(pid);
  let n = 0;
  for (const line of execFileSync('ss', ['-xa'], { encoding: 'utf8' }).split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols[1] === 'ESTAB' && cols[4] === engineSocket && mine.has(cols[7]!)) n++;
  }
  return n;
}
