import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './engine.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Debian's Prometheus on loopback, with the repository's own prometheus.yml and rules, pointed at
 * this test's vigil and Alertmanager and sped up (1 s scrape and evaluation).
 */
export class TestPrometheus {
  private child: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'vigil-prom-'));
  private log = '';

  constructor(
    readonly port: number,
    private readonly vigilTarget: string,
    private readonly alertmanagerTarget: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const config = readFileSync(join(repo, 'prometheus/prometheus.yml'), 'utf8')
      .replace(/scrape_interval: 15s/, 'scrape_interval: 1s')
      .replace(/evaluation_interval: 15s/, 'evaluation_interval: 1s')
      .replace("'vigil:9323'", `'${this.vigilTarget}'`)
      .replace("'alertmanager:9093'", `'${this.alertmanagerTarget}'`)
      .replace('/etc/prometheus/rules/*.yml', join(repo, 'prometheus/rules/vigil.yml'))
      .replace('/etc/prometheus/targets/*.json', join(this.dir, 'targets-*.json'));
    const file = join(this.dir, 'prometheus.yml');
    writeFileSync(file, config);
    const child = spawn(
      'prometheus',
      [
        `--config.file=${file}`,
        `--storage.tsdb.path=${join(this.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
        '--log.level=warn',
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    this.child = child;
    child.stderr.on('data', (c: Buffer) => (this.log += c.toString()));
    child.once('error', (err) => (this.log += `cannot run prometheus (apt-get install prometheus): ${err.message}`));
    await waitFor(async () => (await fetch(`${this.url}/-/ready`)).ok, {
      what: `Prometheus ready (${this.log.slice(-500)})`,
      timeoutMs: 30_000,
    });
  }

  async query(expr: string): Promise<{ status: string; data: { result: unknown[] }; error?: string }> {
    const res = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    return (await res.json()) as { status: string; data: { result: unknown[] }; error?: string };
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}
