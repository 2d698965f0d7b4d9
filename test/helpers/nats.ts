import { spawn, type ChildProcess } from 'node:child_process';

/** Debian's nats-server on loopback. Fails loudly when it cannot start. */
export class NatsServer {
  private child: ChildProcess | null = null;
  constructor(readonly port: number) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(this.port)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    let log = '';
    child.stderr.on('data', (c: Buffer) => (log += c.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server did not start on ${this.port}:\n${log}`)), 10_000);
      child.once('error', (err) =>
        reject(new Error(`nats-server cannot run (apt-get install nats-server): ${err.message}`)),
      );
      child.once('exit', (code) => reject(new Error(`nats-server exited with ${code}:\n${log}`)));
      const check = setInterval(() => {
        if (log.includes('Server is ready')) {
          clearInterval(check);
          clearTimeout(timer);
          resolve();
        }
      }, 50);
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}
