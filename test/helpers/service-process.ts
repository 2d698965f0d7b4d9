import { spawnGroup, type GroupChild } from './process-group.js';

export interface ServiceSpec {
  /** The binary, and the Debian package that has it (named when it cannot run). */
  command: string;
  packageName: string;
  args: string[];
  /** Ready when this URL answers 2xx, or when this text appears in the service's log. */
  ready: { url: string } | { logLine: string };
  timeoutMs?: number;
}

/**
 * A real service the tests run (nats-server, Prometheus, Alertmanager) as a child process on loopback.
 * Starting resolves once it is ready and fails loudly, with the end of its log, when it cannot run,
 * exits, or is not ready in time: a suite never passes without its services.
 */
export class ServiceProcess {
  private output = '';
  private constructor(
    private readonly child: GroupChild,
    readonly name: string,
  ) {
    child.stdout?.on('data', (c: Buffer) => (this.output = (this.output + c.toString()).slice(-20_000)));
    child.stderr?.on('data', (c: Buffer) => (this.output = (this.output + c.toString()).slice(-20_000)));
  }

  static async start(spec: ServiceSpec): Promise<ServiceProcess> {
    const child = spawnGroup(spec.command, spec.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const service = new ServiceProcess(child, spec.command);
    const timeoutMs = spec.timeoutMs ?? 30_000;
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (err) =>
        reject(new Error(`${spec.command} cannot run (apt-get install ${spec.packageName}): ${err.message}`)),
      );
      child.once('exit', (code) =>
        reject(new Error(`${spec.command} exited with ${code}:\n${service.log.slice(-2000)}`)),
      );
    });
    const deadline = Date.now() + timeoutMs;
    const ready = (async () => {
      while (Date.now() < deadline && child.exitCode === null) {
        if ('logLine' in spec.ready ? service.log.includes(spec.ready.logLine) : await answers(spec.ready.url)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      if (child.exitCode === null) {
        throw new Error(`${spec.command} was not ready within ${timeoutMs} ms:\n${service.log.slice(-2000)}`);
      }
    })();
    try {
      await Promise.race([ready, failed]);
    } catch (err) {
      await service.stop('SIGKILL');
      throw err;
    }
    failed.catch(() => undefined); // a later exit is stop()'s doing, or shows in the test that needs it
    return service;
  }

  /** What the service has written so far (the last 20 kB). */
  get log(): string {
    return this.output;
  }

  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    return this.child.stopGroup(signal);
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}
