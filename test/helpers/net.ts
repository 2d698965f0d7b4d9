import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';

/**
 * The kernel's ephemeral range (net.ipv4.ip_local_port_range): where `listen(0)` picks and where every
 * outgoing connection takes its local port. A port handed out from there and listened on a second later
 * (a spawned vigil, Prometheus, an SMTP server) can be taken meanwhile by any test's `fetch`: a connected
 * socket's local port refuses a listen with EADDRINUSE. Ports below the range are never taken that way.
 */
export function ephemeralRange(text = readProcRange()): { low: number; high: number } {
  const [low, high] = text.trim().split(/\s+/).map(Number);
  return low! > 0 && high! >= low! ? { low: low!, high: high! } : { low: 32768, high: 60999 };
}

function readProcRange(): string {
  try {
    return readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
  } catch {
    return '';
  }
}

/** Below the ephemeral range and above the ports services are known by. */
const lowest = 10_000;
/** Handed out by this process already: one test file asking twice gets two ports. */
const given = new Set<number>();

async function canListen(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A loopback port free right now and outside the ephemeral range, for a server a test or benchmark starts
 * (or for nothing to listen on). Picked at random, so parallel test files rarely try the same one.
 */
export async function freePort(): Promise<number> {
  const { low } = ephemeralRange();
  const span = Math.max(low - lowest, 1000);
  for (let tries = 0; tries < 200; tries++) {
    const port = lowest + Math.floor(Math.random() * span);
    if (given.has(port) || !(await canListen(port))) continue;
    given.add(port);
    return port;
  }
  throw new Error(`no free loopback port between ${lowest} and ${lowest + span} after 200 tries`);
}
