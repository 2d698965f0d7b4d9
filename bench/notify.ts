/**
 * Notification benchmark: a container dies; the time from its death (the engine's die event) to the
 * email being accepted by a real SMTP server (smtp-server, on loopback) is measured over N deaths.
 * Prints median and p99 and writes them to bench/results/; asserts nothing.
 *
 *   npm run bench:notify            # 20 deaths
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../test/helpers/net.js';
import { TestSmtpServer } from '../test/helpers/smtp.js';
import { spawnBuiltVigil } from './lib/vigil.js';
import { benchEngine, writeResults } from './lib/bench-engine.js';

const { dockerHost, image, docker } = benchEngine('bench:notify');
const deaths = Number(process.env.BENCH_DEATHS ?? 20);
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

const smtp = new TestSmtpServer(await freePort());
await smtp.start();
const accepted = new Map<string, number>();
const originalPush = smtp.mails.push.bind(smtp.mails);
smtp.mails.push = (...mails) => {
  for (const m of mails) accepted.set(m.subject, Date.now());
  return originalPush(...mails);
};

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
writeFileSync(
  join(dir, 'vigil.json'),
  JSON.stringify({
    channels: [smtp.channel({ ratePerMinute: 1000 })],
  }),
);
const port = await freePort();
const vigil = spawnBuiltVigil(
  {
    VIGIL_LISTEN: `127.0.0.1:${port}`,
    VIGIL_LOG_LEVEL: 'warn',
    VIGIL_DATA_DIR: join(dir, 'data'),
    VIGIL_CONFIG: join(dir, 'vigil.json'),
    VIGIL_AUTOHEAL: 'off',
    VIGIL_NOTIFY_GROUP_SECONDS: '0',
  },
  'inherit',
);
while (
  !(await fetch(`http://127.0.0.1:${port}/health/ready`).then(
    async (r) => ((await r.json()) as { status: string }).status === 'ok',
    () => false,
  ))
)
  await new Promise((r) => setTimeout(r, 200));

const events = spawn('docker', [
  '-H',
  dockerHost,
  'events',
  '--filter',
  'event=die',
  '--format',
  '{{.TimeNano}} {{.Actor.Attributes.name}}',
]);
const diedAt = new Map<string, number>();
createInterface({ input: events.stdout }).on('line', (line) => {
  const [nano, name] = line.split(' ');
  diedAt.set(name!, Number(BigInt(nano!) / 1_000_000n));
});

const latencies: number[] = [];
for (let i = 0; i < deaths; i++) {
  const name = `bench-death-${Date.now()}-${i}`;
  await docker(['run', '-d', '--name', name, '--network', 'none', image, 'sh', '-c', 'sleep 0.5; exit 9']);
  const subject = `${name} crashed (exit code 9)`;
  for (let waited = 0; waited < 15_000; waited += 20) {
    const at = [...accepted].find(([s]) => s.includes(subject))?.[1];
    if (at && diedAt.has(name)) {
      latencies.push(at - diedAt.get(name)!);
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  await docker(['rm', '-f', name]);
}
events.kill();
await vigil.stopGroup('SIGTERM');
await smtp.stop();

const out = {
  benchmark: 'notify',
  at: new Date().toISOString(),
  deaths,
  measured: latencies.length,
  dieToEmailAcceptedMs: {
    median: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: Math.max(...latencies),
  },
  samplesMs: latencies,
  target: { ms: 1000 },
};
console.log(
  `container dies → email accepted by the SMTP server, ${latencies.length}/${deaths} measured: median ${out.dieToEmailAcceptedMs.median} ms, p99 ${out.dieToEmailAcceptedMs.p99} ms, max ${out.dieToEmailAcceptedMs.max} ms`,
);
console.log(`written to ${writeResults('notify', out.at, out)}`);
process.exit(0);
