import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const script = fileURLToPath(new URL('../../scripts/test-engine.sh', import.meta.url));

/**
 * An engine of a test file's own (scripts/test-engine.sh in a temp dir), for tests that stop and start
 * it or whose vigil must be the only one acting on its containers.
 */
export class PrivateEngine {
  readonly dir = mkdtempSync(join(tmpdir(), 'vigil-pe-'));
  readonly host = `unix://${this.dir}/docker.sock`;

  async up(): Promise<void> {
    await exec('bash', [script, 'up', this.dir]);
  }

  async down(): Promise<void> {
    await exec('bash', [script, 'down', this.dir]);
  }

  async destroy(): Promise<void> {
    await this.down().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
  }
}
