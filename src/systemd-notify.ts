import { execFile } from 'node:child_process';
import type { Logger } from 'pino';

/**
 * sd_notify(3) through systemd's own `systemd-notify`: node has no unix datagram sockets, and the npm
 * packages that add them (sd-notify, unix-dgram) are native builds. systemd-notify waits until the
 * manager has read the message (a barrier, since systemd 246) so the message is not lost when the
 * short-lived sender exits first; it is not vigil's main process, so the unit says NotifyAccess=all.
 */

/** Pure: how often to ping systemd's watchdog (half its WatchdogSec), or null when it asks for none of this process. */
export function watchdogPingMs(env: NodeJS.ProcessEnv, pid: number): number | null {
  if (!env.NOTIFY_SOCKET) return null;
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== '' && Number(env.WATCHDOG_PID) !== pid) return null;
  return Math.max(100, Math.floor(usec / 1000 / 2));
}

/** Sends one notification; resolves with an error message, or null when systemd took it. */
export type Notify = (assignments: readonly string[]) => Promise<string | null>;

export const systemdNotify =
  (env: NodeJS.ProcessEnv): Notify =>
  (assignments) =>
    new Promise((resolve) => {
      const child = execFile(
        'systemd-notify',
        [...assignments],
        { env: { PATH: env.PATH ?? '/usr/bin:/bin', NOTIFY_SOCKET: env.NOTIFY_SOCKET }, timeout: 5000 },
        (err, _stdout, stderr) => resolve(err ? `${err.message.trim()} ${stderr.trim()}`.trim() : null),
      );
      child.stdin?.end();
    });

/**
 * READY=1 once vigil listens, then WATCHDOG=1 every half WatchdogSec while its sweeps and its event
 * stream are live (src/liveness.ts): a wedged vigil stops pinging and systemd restarts it.
 */
export class SystemdNotifier {
  private timer: NodeJS.Timeout | null = null;
  private inFlight = false;
  private stalledSaid = false;

  constructor(
    private readonly live: () => boolean,
    private readonly pingMs: number | null,
    private readonly notify: Notify,
    private readonly logger: Logger,
  ) {}

  async ready(): Promise<void> {
    const failure = await this.notify(['READY=1']);
    if (failure) this.logger.warn({ err: failure }, 'systemd was not told that vigil is ready');
    if (this.pingMs === null || this.timer) return;
    this.timer = setInterval(() => void this.ping(), this.pingMs);
    this.timer.unref();
  }

  private async ping(): Promise<void> {
    if (this.inFlight) return;
    if (!this.live()) {
      if (!this.stalledSaid)
        this.logger.error("sweeps or the engine's event stream are stalled: not pinging systemd's watchdog");
      this.stalledSaid = true;
      return;
    }
    this.stalledSaid = false;
    this.inFlight = true;
    const failure = await this.notify(['WATCHDOG=1']);
    this.inFlight = false;
    if (failure) this.logger.warn({ err: failure }, "systemd's watchdog was not pinged");
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** The notifier when systemd runs vigil with a notify socket; null otherwise. */
export function systemdNotifierFor(
  env: NodeJS.ProcessEnv,
  live: () => boolean,
  logger: Logger,
): SystemdNotifier | null {
  if (!env.NOTIFY_SOCKET) return null;
  return new SystemdNotifier(live, watchdogPingMs(env, process.pid), systemdNotify(env), logger);
}
