import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VigilEvent } from '../../src/streams/events.js';
import { docker as dockerOn, runContainer as runOn, uniqueName, waitFor } from '../helpers/engine.js';
import { freePort } from '../helpers/net.js';
import { PrivateEngine } from '../helpers/private-engine.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { startVigil, type RunningVigil } from '../helpers/vigil.js';
import { fileTempDirs } from '../helpers/temp-dir.js';

// the file's temp dirs, removed after its last test
const temp = fileTempDirs(test);

// vigil removes what it gave up on, when the container says it may: its own engine, as the medic acts.
const engine = new PrivateEngine();
const docker = (args: string[]) => dockerOn(args, engine.host);
const runContainer = (n: string, options: string[], command: string[]) => runOn(n, options, command, engine.host);
let smtp: TestSmtpServer;
let vigil: RunningVigil;
const events: VigilEvent[] = [];

test.before(async () => {
  smtp = new TestSmtpServer(await freePort());
  await smtp.start();
  await engine.up();
  const dir = temp('cleanup');
  const file = join(dir, 'vigil.yaml');
  writeFileSync(file, JSON.stringify({ channels: [smtp.channel({ name: 'oncall' })] }));
  vigil = await startVigil({
    DOCKER_HOST: engine.host,
    VIGIL_CONFIG: file,
    VIGIL_AUTOHEAL: 'labelled',
    VIGIL_BOOT_GRACE_SECONDS: '0.2',
    VIGIL_BACKOFF_BASE_SECONDS: '0.5',
    VIGIL_RECOVERY_MAX_ATTEMPTS: '2',
    VIGIL_CLEANUP_AFTER_SECONDS: '2',
    VIGIL_NOTIFY_GROUP_SECONDS: '0.5',
  });
  vigil.vigil.bus.on('event', (e) => events.push(e));
  await waitFor(() => vigil.vigil.inventory.synced, { what: 'the first sync' });
});

test.after.always(async () => {
  await vigil?.stop();
  await engine.destroy();
  await smtp?.stop();
});

const exists = async (n: string) =>
  docker(['inspect', '-f', '{{.Name}}', n]).then(
    () => true,
    () => false,
  );

test.serial(
  'a crash-looping container labelled vigil.cleanup=true is removed after the delay once vigil gave up, its last logs, exit code and inspect kept and shown in its history, and the removal mailed',
  async (t) => {
    const n = uniqueName('cleanup');
    const plain = uniqueName('kept');
    // the stderr line after a pause: the engine copies the two streams apart, a line of each in either order
    const script = 'for i in $(seq 1 300); do echo "line $i"; done; sleep 0.3; echo "dying" >&2; exit 7';
    await runContainer(n, ['--label', 'vigil.autoheal=true', '--label', 'vigil.cleanup=true'], ['sh', '-c', script]);
    // the same crash loop without the label: given up on, never removed
    await runContainer(plain, ['--label', 'vigil.autoheal=true'], ['sh', '-c', script]);
    const gaveUp = await waitFor(() => events.find((e) => e.type === 'recovery.gave_up' && e.container?.name === n), {
      what: 'vigil gives up',
      timeoutMs: 60_000,
    });
    const removed = await waitFor(() => events.find((e) => e.type === 'recovery.cleanup' && e.container?.name === n), {
      what: 'the cleanup',
      timeoutMs: 60_000,
    });
    t.true(Date.parse(removed.time) - Date.parse(gaveUp.time) >= 2000, 'not before the delay');
    t.false(await exists(n), 'the container is gone from the engine');

    const history = (await (await vigil.get(`/api/v1/history/${n}`)).json()) as {
      type: string;
      entity: string;
      actions: { action: string }[];
      removed: { exitCode: number; logs: { stream: string; message: string }[]; inspect: { name?: string } };
    };
    t.is(history.type, 'container');
    t.is(history.entity, n);
    t.is(history.removed.exitCode, 7);
    t.is(history.removed.logs.length, 200, 'the last 200 lines');
    // stdout and stderr told apart
    const last = history.removed.logs.slice(-2);
    t.true(
      last.some((l) => l.stream === 'stderr' && l.message === 'dying'),
      JSON.stringify(last),
    );
    t.true(
      last.some((l) => l.stream === 'stdout' && l.message === 'line 300'),
      JSON.stringify(last),
    );
    t.is(history.removed.inspect.name, n);
    t.true(history.actions.some((a) => a.action === 'cleanup'));
    t.true(history.actions.some((a) => a.action === 'give-up'));

    const mail = await waitFor(() => smtp.mails.find((m) => m.raw.includes(`${n} removed`)), {
      what: 'the removal mail',
      timeoutMs: 20_000,
    });
    t.regex(mail.raw, /last exited with code 7/);

    await waitFor(() => events.find((e) => e.type === 'recovery.gave_up' && e.container?.name === plain), {
      what: 'vigil gives up on the unlabelled one',
      timeoutMs: 60_000,
    });
    await new Promise((r) => setTimeout(r, 3000));
    t.true(await exists(plain), 'an unlabelled container is never removed');
  },
);

test.serial('a labelled container a person stopped is never removed', async (t) => {
  const n = uniqueName('stopped');
  await runContainer(n, ['--label', 'vigil.autoheal=true', '--label', 'vigil.cleanup=true'], ['sleep', '100000']);
  await docker(['stop', '-t', '1', n]);
  await new Promise((r) => setTimeout(r, 4000));
  t.true(await exists(n));
  t.false(events.some((e) => e.type === 'recovery.cleanup' && e.container?.name === n));
});
