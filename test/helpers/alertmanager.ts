import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './engine.js';

/** Debian's prometheus-alertmanager on loopback, clustering off, routing everything to one webhook. */
export class TestAlertmanager {
  private child: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'vigil-am-'));
  private log = '';

  constructor(
    readonly port: number,
    private readonly webhookUrl: string,
    private readonly token: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    await this.startWithConfig(
      [
        'route:',
        '  receiver: vigil',
        '  group_by: [alertname, container]',
        '  group_wait: 1s',
        '  group_interval: 2s',
        '  repeat_interval: 3s',
        'receivers:',
        '  - name: vigil',
        '    webhook_configs:',
        `      - url: ${this.webhookUrl}`,
        '        send_resolved: true',
        '        http_config:',
        '          authorization:',
        `            credentials: ${this.token}`,
        '',
      ].join('\n'),
    );
  }

  /** Starts with the given alertmanager.yml text (the repository's own, say). */
  async startWithConfig(text: string): Promise<void> {
    const config = join(this.dir, 'alertmanager.yml');
    writeFileSync(config, text);
    const child = spawn(
      'prometheus-alertmanager',
      [
        `--config.file=${config}`,
        `--storage.path=${join(this.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.child = child;
    child.stderr.on('data', (c: Buffer) => (this.log += c.toString()));
    child.once(
      'error',
      (err) =>
        (this.log += `cannot run prometheus-alertmanager (apt-get install prometheus-alertmanager): ${err.message}`),
    );
    await waitFor(async () => (await fetch(`${this.url}/-/ready`)).ok, {
      what: `Alertmanager ready (${this.log.slice(-500)})`,
      timeoutMs: 20_000,
    });
  }

  /** Fires (or, with endsAt in the past, resolves) an alert through Alertmanager's API v2. */
  async post(labels: Record<string, string>, annotations: Record<string, string>, endsAt?: Date): Promise<void> {
    const res = await fetch(`${this.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ labels, annotations, ...(endsAt ? { endsAt: endsAt.toISOString() } : {}) }]),
    });
    if (!res.ok) throw new Error(`Alertmanager refused the alert: ${res.status} ${await res.text()}`);
  }

  async silences(): Promise<
    { id: string; status: { state: string }; matchers: { name: string; value: string }[]; createdBy: string }[]
  > {
    return (await (await fetch(`${this.url}/api/v2/silences`)).json()) as never;
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
