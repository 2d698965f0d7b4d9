import test from 'ava';
import { readiness } from '../helpers/vigil.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execEndingTheRun, runContainer, uniqueName, waitFor } from '../helpers/engine.js';
import { PrivateEngine } from '../helpers/private-engine.js';
import { freePort } from '../helpers/net.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { spawnVigil, type VigilProcess } from '../helpers/vigil-process.js';
import { fileTempDirs } from '../helpers/temp-dir.js';

// the file's temp dirs, removed after its last test
const temp = fileTempDirs(test);

const dir = temp('dur');
const names = Array.from({ length: 5 }, () => uniqueName('pending'));
let smtp: TestSmtpServer;
// exactly these five notifications are at stake: no other test's containers on this engine
const engine = new PrivateEngine();
test.before(() => engine.up());

async function startVigil(configFile: string, env: Record<string, string>): Promise<VigilProcess> {
  const vigil = await spawnVigil({
    DOCKER_HOST: engine.host,
    VIGIL_DATA_DIR: join(dir, 'data'),
    VIGIL_CONFIG: configFile,
    VIGIL_AUTOHEAL: 'off',
    VIGIL_RECONCILE_ON_BOOT: 'off',
    // info: the boot round's line (startRound)
    VIGIL_LOG_LEVEL: 'info',
    ...env,
  });
  await waitFor(async () => (await readiness(vigil.url)) === 'ok', {
    what: 'vigil ready',
    timeoutMs: 30_000,
  });
  return vigil;
}

test.after.always(async () => {
  await smtp?.stop();
  await engine.destroy();
});

test('vigil SIGKILLed with 5 notifications pending sends all 5 after it restarts, none twice', async (t) => {
  smtp = new TestSmtpServer(await freePort());
  const config = join(dir, 'vigil.json');
  writeFileSync(
    config,
    JSON.stringify({
      channels: [smtp.channel()],
    }),
  );

  // the SMTP server is not there yet: everything stays in the outbox
  const first = await startVigil(config, { VIGIL_NOTIFY_RETRY_SECONDS: '60', VIGIL_NOTIFY_GROUP_SECONDS: '0' });
  t.teardown(() => first.stop('SIGKILL'));
  const pendingOn = async (url: string) =>
    ((await (await fetch(`${url}/api/v1/channels`)).json()) as { channels: { pending: number }[] }).channels[0]!
      .pending;
  // on a host booted in the last 15 minutes (a fresh CI machine) vigil's start tells of it: one more
  // pending, not one of the five
  const told = (await first.startRound()).restarted !== null;
  const before = await waitFor(
    async () => {
      const pending = await pendingOn(first.url);
      return pending === (told ? 1 : 0) && { pending };
    },
    { what: "the start's own notice queued" },
  );
  // a crash is news only about a container vigil saw running: each one waits until vigil has seen it
  // run, then crashes (a container that lived 0.3 s could be inspected only once it had exited, on a
  // loaded machine, and made no notification at all)
  for (const n of names) {
    await runContainer(n, [], ['sh', '-c', 'until [ -e /tmp/crash ]; do sleep 0.05; done; exit 7'], engine.host);
  }
  await waitFor(
    async () => {
      const { containers } = (await (await fetch(`${first.url}/api/v1/containers/health`)).json()) as {
        containers: { name: string; status: string }[];
      };
      return names.every((n) => containers.some((c) => c.name === n && c.status === 'running'));
    },
    { what: 'vigil to see the 5 containers running', timeoutMs: 60_000 },
  );
  for (const n of names) await execEndingTheRun(n, ['touch', '/tmp/crash'], engine.host);
  await waitFor(async () => (await pendingOn(first.url)) === before.pending + 5, {
    what: '5 pending notifications',
    timeoutMs: 60_000,
  });
  await first.stop('SIGKILL');

  await smtp.start();
  const second = await startVigil(config, { VIGIL_NOTIFY_GROUP_SECONDS: '0' });
  t.teardown(() => second.stop());
  await waitFor(() => names.every((n) => smtp.mails.some((m) => m.raw.includes(`${n} crashed (exit code 7)`))), {
    what: 'all 5 emails',
    timeoutMs: 30_000,
  });
  // a message sent twice would be one sent and not marked: once none is pending, every send is done
  const pending = () => pendingOn(second.url);
  await waitFor(async () => (await pending()) === 0, { what: 'nothing pending', timeoutMs: 30_000 });
  for (const n of names) {
    const count = smtp.mails.reduce((sum, m) => sum + m.raw.split(`${n} crashed (exit code 7)`).length - 1, 0);
    // a grouped message names each item in its title list and its body: count the messages instead
    const messages = smtp.mails.filter((m) => m.raw.includes(`${n} crashed (exit code 7)`)).length;
    t.is(messages, 1, `${n}: ${messages} messages (${count} mentions)`);
  }
  t.is(await pending(), 0);
});
