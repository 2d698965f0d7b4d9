import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceProcess } from './service-process.js';
import { makeTempDir, removeDir } from './temp-dir.js';

/**
 * Debian's prometheus-alertmanager on loopback, routing everything to one webhook. Clustering is off
 * unless `cluster` gives this peer's gossip port and its peers' (all on loopback).
 */
export class TestAlertmanager {
  private process: ServiceProcess | null = null;
  readonly dir = makeTempDir('am');

  constructor(
    readonly port: number,
    private readonly webhookUrl: string,
    private readonly token: string,
    private readonly cluster?: { port: number; peers: number[] },
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
    this.process = await ServiceProcess.start({
      command: 'prometheus-alertmanager',
      packageName: 'prometheus-alertmanager',
      args: [
        `--config.file=${config}`,
        `--storage.path=${join(this.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
        ...(this.cluster
          ? [
              `--cluster.listen-address=127.0.0.1:${this.cluster.port}`,
              `--cluster.advertise-address=127.0.0.1:${this.cluster.port}`,
              ...this.cluster.peers.map((p) => `--cluster.peer=127.0.0.1:${p}`),
              // loopback peers settle at once; the default waits for a quiet gossip before notifying
              '--cluster.settle-timeout=2s',
              '--cluster.peer-timeout=2s',
            ]
          : ['--cluster.listen-address=']),
        '--log.level=warn',
      ],
      ready: { url: `${this.url}/-/ready` },
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
    await this.process?.stop();
    removeDir(this.dir);
  }
}
