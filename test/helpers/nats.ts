import type { NatsSources } from '../../src/streams/nats.js';
import { ServiceProcess } from './service-process.js';

/** Debian's nats-server on loopback. Fails loudly when it cannot start. */
export class NatsServer {
  private process: ServiceProcess | null = null;
  constructor(readonly port: number) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.process = await ServiceProcess.start({
      command: 'nats-server',
      packageName: 'nats-server',
      args: ['-a', '127.0.0.1', '-p', String(this.port)],
      ready: { logLine: 'Server is ready' },
      timeoutMs: 10_000,
    });
  }

  async stop(): Promise<void> {
    await this.process?.stop('SIGKILL');
  }
}

/** Sources for a publisher under test that has nothing to publish but the bus's events. */
export const emptyNatsSources: NatsSources = {
  summaryOf: () => undefined,
  healthAll: () => ({ containers: [] }),
  detail: () => ({ status: 404, body: {} }),
  allStats: () => [],
  fleetEntry: () => ({}),
  onSweep: () => undefined,
  onStateChange: () => undefined,
};
