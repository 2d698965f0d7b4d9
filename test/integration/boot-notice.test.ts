import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { docker as dockerOn, runContainer as runOn, waitFor } from '../helpers/engine.js';
import { freePort } from '../helpers/net.js';
import { PrivateEngine } from '../helpers/private-engine.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { openSseClient } from '../helpers/sse.js';
import { spawnVigil } from '../helpers/vigil-process.js';
import { tempDir } from '../helpers/temp-dir.js';

// The engine is restarted under a running vigil; every container has --restart always, so the engine
// brings them all back itself: the notice still comes, once, through a real SMTP server.
const engine = new PrivateEngine();
const docker = (args: string[]) => dockerOn(args, engine.host);
let smtp: TestSmtpServer;

test.before(async () => {
  smtp = new TestSmtpServer(await freePort());
  await smtp.start();
  await engine.up();
  for (const n of ['always-a', 'always-b'])
    await runOn(n, ['--stop-timeout', '2', '--restart', 'always'], ['sleep', '100000'], engine.host);
});

test.after.always(async () => {
  await engine.destroy();
  await smtp?.stop();
});

test.serial(
  'an engine restart with every container on --restart always: one notice, by email, saying the engine brought them all back',
  async (t) => {
    const dir = tempDir(t, 'boot-notice');
    const file = join(dir, 'vigil.yaml');
    writeFileSync(file, JSON.stringify({ channels: [smtp.channel({ name: 'oncall' })] }));
    const vigil = await spawnVigil({
      DOCKER_HOST: engine.host,
      VIGIL_DATA_DIR: join(dir, 'data'),
      VIGIL_CONFIG: file,
      VIGIL_BOOT_GRACE_SECONDS: '2',
      VIGIL_NOTIFY_GROUP_SECONDS: '0.5',
    });
    t.teardown(() => vigil.stop('SIGTERM'));
    await waitFor(async () => (await fetch(`${vigil.url}/health/ready`)).status === 200, {
      what: 'vigil ready',
      timeoutMs: 30_000,
    });
    // vigil's own start has a round too, and on a host booted in the last 15 minutes (a fresh CI
    // machine) it tells of it ("Host back"): that notice is counted before the engine restart, not after
    if ((await vigil.startRound()).restarted === 'host')
      await waitFor(() => smtp.mails.find((m) => /Host back/.test(m.subject)), { what: 'the host-boot notice' });
    const events = await openSseClient(`${vigil.url}/api/v1/events?types=recovery.boot`);
    t.teardown(() => events.close());
    const before = smtp.mails.length;
    await engine.down();
    await engine.up();
    const notices = () => smtp.mails.slice(before).filter((m) => /should-run containers running/.test(m.raw));
    const mail = await waitFor(() => notices()[0], { what: 'the recovery notice', timeoutMs: 60_000 });
    t.regex(mail.subject, /Engine back: 2 of 2 should-run containers running/);
    t.regex(
      mail.raw,
      /engine back at \d{4}-\d\d-\d\dT[\d:.]+Z: 2 of 2 should-run containers running, 2 by their restart policy, 0 started by vigil; none left stopped by a person\./,
    );
    for (const n of ['always-a', 'always-b']) t.is(await docker(['inspect', '-f', '{{.State.Status}}', n]), 'running');
    // the same on the bus, with its counts
    const m = await events.next(30_000);
    t.is(m.event, 'recovery.boot');
    const boot = JSON.parse(m.data) as { data: { restarted: string; summary: Record<string, unknown> } };
    t.is(boot.data.restarted, 'engine');
    t.like(boot.data.summary, { shouldRun: 2, running: 2, byRestartPolicy: 2, startedByVigil: 0, leftStopped: 0 });
    t.deepEqual(boot.data.summary.notBack, []);
    await new Promise((r) => setTimeout(r, 3000));
    t.is(notices().length, 1, 'one notice, no more');
  },
);
