import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { atEnd } from './process-group.js';
import { makeTempDir, removeDir } from './temp-dir.js';

const exec = promisify(execFile);
const script = fileURLToPath(new URL('../../scripts/test-engine.sh', import.meta.url));

/**
 * An engine of a test file's own (scripts/test-engine.sh in a temp dir), for tests that stop and start
 * it or whose vigil must be the only one acting on its containers. With `tlsPort`, the engine also
 * listens on tcp://127.0.0.1:tlsPort with --tlsverify, and `certPath` holds the client's certificates.
 */
export class PrivateEngine {
  readonly dir = makeTempDir('pe');
  readonly host = `unix://${this.dir}/docker.sock`;
  readonly certPath = join(this.dir, 'certs');

  /** Takes back the stop at this process's end, once the engine was stopped in order. */
  private release: (() => void) | null = null;

  /**
   * `socketActivated`: the socket is held by another process and handed to dockerd, as systemd's
   * docker.socket does (scripts/test-engine.sh).
   */
  constructor(private readonly options: { tlsPort?: number; socketActivated?: boolean } = {}) {}

  /** The engine's TLS address, as DOCKER_HOST would name it. */
  get tlsHost(): string {
    if (!this.options.tlsPort) throw new Error('this engine was made without a TLS port');
    return `tcp://127.0.0.1:${this.options.tlsPort}`;
  }

  async up(): Promise<void> {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` };
    if (this.options.tlsPort) env.VIGIL_TEST_ENGINE_TLS_PORT = String(this.options.tlsPort);
    if (this.options.socketActivated) env.VIGIL_TEST_ENGINE_SOCKET_ACTIVATED = '1';
    // a test file that times out never reaches its after hook: its engine stops when the file's process ends
    this.release ??= atEnd(() => execFileSync('bash', [script, 'down', this.dir], { stdio: 'ignore' }));
    await exec('bash', [script, 'up', this.dir], { env });
  }

  async down(): Promise<void> {
    await exec('bash', [script, 'down', this.dir]);
    this.release?.();
    this.release = null;
  }

  async destroy(): Promise<void> {
    await this.down().catch(() => undefined);
    removeDir(this.dir);
  }
}
