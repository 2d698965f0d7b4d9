import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServiceProcess } from './service-process.js';
import { makeTempDir, removeDir } from './temp-dir.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Debian's Prometheus on loopback, with the repository's own prometheus.yml and rules, pointed at
 * this test's vigil and Alertmanager and sped up (1 s scrape and evaluation).
 */
export class TestPrometheus {
  private process: ServiceProcess | null = null;
  readonly dir = makeTempDir('prom');

  /** `vigilTarget` null: no static target, only the vigils listed through writeTargets (file_sd). */
  constructor(
    readonly port: number,
    private readonly vigilTarget: string | null,
    private readonly alertmanagerTarget: string,
  ) {}

  /** A file_sd file, as an operator drops one per host group into prometheus/targets/. */
  writeTargets(name: string, groups: { targets: string[]; labels?: Record<string, string> }[]): void {
    writeFileSync(join(this.dir, `targets-${name}.json`), JSON.stringify(groups));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const config = readFileSync(join(repo, 'prometheus/prometheus.yml'), 'utf8')
      .replace(/scrape_interval: 15s/, 'scrape_interval: 1s')
      .replace(/evaluation_interval: 15s/, 'evaluation_interval: 1s')
      .replace(/ {4}static_configs:\n {6}- targets: \['vigil:9323'\]\n/, (block) =>
        this.vigilTarget === null ? '' : block.replace('vigil:9323', this.vigilTarget),
      )
      .replace("'alertmanager:9093'", `'${this.alertmanagerTarget}'`)
      .replaceAll('/etc/prometheus/rules/', `${join(repo, 'prometheus/rules')}/`)
      .replace('/etc/prometheus/targets/*.json', join(this.dir, 'targets-*.json'));
    const file = join(this.dir, 'prometheus.yml');
    writeFileSync(file, config);
    this.process = await ServiceProcess.start({
      command: 'prometheus',
      packageName: 'prometheus',
      args: [
        `--config.file=${file}`,
        `--storage.tsdb.path=${join(this.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
        '--log.level=warn',
      ],
      ready: { url: `${this.url}/-/ready` },
    });
  }

  async query(expr: string): Promise<{ status: string; data: { result: unknown[] }; error?: string }> {
    const res = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    return (await res.json()) as { status: string; data: { result: unknown[] }; error?: string };
  }

  async stop(): Promise<void> {
    await this.process?.stop();
    removeDir(this.dir);
  }
}
