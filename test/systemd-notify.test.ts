import test from 'ava';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { SystemdNotifier, systemdNotify, watchdogPingMs } from '../src/systemd-notify.js';
import { tempDir } from './helpers/temp-dir.js';

test('watchdog pings every half WatchdogSec, only with a notify socket and for this process', (t) => {
  const table: [NodeJS.ProcessEnv, number | null][] = [
    [{}, null],
    [{ NOTIFY_SOCKET: '/run/systemd/notify' }, null],
    [{ NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '60000000' }, 30_000],
    [{ NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '60000000', WATCHDOG_PID: '42' }, 30_000],
    [{ NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '60000000', WATCHDOG_PID: '43' }, null],
    [{ NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: 'soon' }, null],
    [{ WATCHDOG_USEC: '60000000' }, null],
  ];
  for (const [env, expected] of table) t.is(watchdogPingMs(env, 42), expected, JSON.stringify(env));
});

/**
 * A real notify socket: a unix datagram listener (node has none, so Python's), printing each
 * datagram it reads on a line, as systemd reads them.
 */
async function notifySocket(t: { teardown(f: () => void): void }) {
  const dir = tempDir(t, 'notify');
  const path = join(dir, 'notify');
  const listener = spawn('python3', [
    '-u',
    '-c',
    [
      'import socket, sys',
      's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
      `s.bind(${JSON.stringify(path)})`,
      "print('listening')",
      'while True: print(s.recv(4096).decode())',
    ].join('\n'),
  ]);
  t.teardown(() => {
    listener.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  const received: string[] = [];
  const waiters: (() => void)[] = [];
  const lines = createInterface({ input: listener.stdout });
  await new Promise<void>((resolve) =>
    lines.on('line', (line) => {
      if (line === 'listening') return resolve();
      received.push(line);
      waiters.splice(0).forEach((w) => w());
    }),
  );
  const until = async (pred: (r: string[]) => boolean) => {
    while (!pred(received)) await new Promise<void>((r) => waiters.push(r));
  };
  return { path, received, until };
}

test('READY=1 once, then WATCHDOG=1 only while sweeps and the event stream are live, on a real notify socket', async (t) => {
  const socket = await notifySocket(t);
  let live = true;
  const send = systemdNotify({ ...process.env, NOTIFY_SOCKET: socket.path });
  const sending = new Set<Promise<string | null>>();
  let sent = 0;
  const notify = (assignments: readonly string[]) => {
    sent++;
    const p = send(assignments);
    sending.add(p);
    void p.finally(() => sending.delete(p));
    return p;
  };
  const notifier = new SystemdNotifier(() => live, 50, notify, pino({ level: 'silent' }));
  t.teardown(() => notifier.stop());
  await notifier.ready();
  await socket.until((r) => r.filter((m) => m === 'WATCHDOG=1').length >= 2);
  t.is(socket.received.filter((m) => m === 'READY=1').length, 1);
  // stalled: no more pings, so systemd's WatchdogSec runs out and it restarts vigil
  live = false;
  await Promise.all([...sending]);
  // systemd-notify waits on a barrier after each message: its line is read once the barrier's is
  await socket.until((r) => r.filter((m) => m === 'BARRIER=1').length === sent);
  const pingsWhenStalled = socket.received.filter((m) => m === 'WATCHDOG=1').length;
  await new Promise((r) => setTimeout(r, 500));
  t.is(socket.received.filter((m) => m === 'WATCHDOG=1').length, pingsWhenStalled);
  // live again: pinging again
  live = true;
  await socket.until((r) => r.filter((m) => m === 'WATCHDOG=1').length > pingsWhenStalled);
  t.true(socket.received.filter((m) => m === 'WATCHDOG=1').length > pingsWhenStalled, 'pinging again');
});

test('a notify socket nobody listens on is a logged failure, not a crash', async (t) => {
  const failure = await systemdNotify({ ...process.env, NOTIFY_SOCKET: join(tmpdir(), 'vigil-no-such-socket') })([
    'READY=1',
  ]);
  t.truthy(failure);
});
