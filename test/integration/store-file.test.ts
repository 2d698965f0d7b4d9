import test from 'ava';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { docker, removeContainers, runContainer, uniqueName, waitFor } from '../helpers/engine.js';
import { freePort } from '../helpers/net.js';
import { startVigil, type RunningVigil, readiness } from '../helpers/vigil.js';
import { tempDir } from '../helpers/temp-dir.js';

// The database deleted while vigil runs (an operator's `rm -rf data/*`, a cleanup job): vigil notices,
// says so, and what it held is at the path for its next start: a person's stops, the outbox, alerts.

const first = uniqueName('kept-stopped');
const second = uniqueName('stopped-after');
const created = [first, second];

test.after.always(async () => {
  await removeContainers(created);
});

interface Row {
  name?: string;
  desired?: string;
  source?: string;
  status?: string;
  dedupe_key?: string;
}

test('the database deleted under a running vigil: readiness says so, and a restart finds every stop and pending notification', async (t) => {
  const dataDir = tempDir(t, 'deleted-db');
  const conf = join(tempDir(t, 'conf'), 'vigil.json');
  // nothing listens there: the notification stays pending in the outbox
  const deadSmtp = await freePort();
  writeFileSync(
    conf,
    JSON.stringify({
      channels: [
        {
          name: 'mail',
          type: 'email',
          smtp: { host: '127.0.0.1', port: deadSmtp },
          from: 'v@example.org',
          to: ['o@example.org'],
        },
      ],
    }),
  );
  // vigil acts on nothing here (the engine is shared with other test files); it only records
  const env = {
    VIGIL_DATA_DIR: dataDir,
    VIGIL_CONFIG: conf,
    VIGIL_AUTOHEAL: 'off',
    VIGIL_RECONCILE_ON_BOOT: 'off',
    VIGIL_NOTIFY_GROUP_SECONDS: '0',
    VIGIL_NOTIFY_RETRY_SECONDS: '60',
  };
  await runContainer(first, ['--stop-timeout', '1'], ['sleep', '100000']);
  await runContainer(second, ['--stop-timeout', '1'], ['sleep', '100000']);
  let vigil: RunningVigil = await startVigil(env);
  t.teardown(() => vigil.stop());
  await waitFor(() => vigil.vigil.inventory.synced, { what: 'the first sync' });
  const rows = (v: RunningVigil, sql: string, ...args: unknown[]) => v.vigil.db.prepare(sql).all(...args) as Row[];
  const desired = (v: RunningVigil, name: string) =>
    rows(v, 'SELECT name, desired, source FROM desired_state WHERE name = ?', name)[0];

  await docker(['stop', first]);
  await waitFor(() => desired(vigil, first)?.desired === 'stopped', { what: 'the stop of a person recorded' });
  const webhook = await vigil.get('/api/v1/alertmanager', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      ...{ version: '4', groupKey: '{}:{}', truncatedAlerts: 0, status: 'firing', receiver: 'vigil' },
      ...{ groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://127.0.0.1:9093' },
      alerts: [
        {
          ...{ status: 'firing', labels: { alertname: 'DiskAlmostFull', severity: 'critical', container: first } },
          ...{ annotations: { summary: 'disk' }, startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z' },
          ...{ generatorURL: '', fingerprint: 'abcdef0123456789' },
        },
      ],
    }),
  });
  t.is(webhook.status, 200);
  // other test files' containers share the engine, and their news waits in this outbox too: only this
  // test's own notifications are compared (the alert's, and any about its two containers)
  const pendingOfOurs = (v: RunningVigil) =>
    rows(v, "SELECT dedupe_key FROM outbox WHERE status = 'pending' ORDER BY id")
      .map((r) => r.dedupe_key!)
      .filter((key) => key.startsWith('alert/abcdef0123456789/') || key.includes(first) || key.includes(second));
  await waitFor(() => pendingOfOurs(vigil).length > 0, { what: "the alert's notification pending in the outbox" });
  const pending = pendingOfOurs(vigil);

  for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, 'vigil.db') + suffix, { force: true });
  const ready = await vigil.get('/health/ready');
  t.is(ready.status, 503);
  const { status, checks } = (await ready.json()) as {
    status: string;
    checks: Record<string, { status: string; reason?: string }>;
  };
  t.is(status, 'unhealthy');
  t.is(checks.store!.status, 'unhealthy');
  t.regex(
    checks.store!.reason!,
    /vigil's database .*vigil\.db was deleted at .*wrote everything it held to a new file/,
  );
  t.true(
    vigil.logs.some((l) => l.level >= 50 && /was deleted while vigil ran/.test(l.msg)),
    'an error in the log',
  );

  // what happens after the notice goes to the new file as well
  await docker(['stop', second]);
  await waitFor(() => desired(vigil, second)?.desired === 'stopped', { what: 'the stop after the deletion' });
  await vigil.stop();

  vigil = await startVigil(env);
  await waitFor(async () => (await readiness(vigil.url)) === 'ok', { what: 'the new vigil ready' });
  t.like(desired(vigil, first), { desired: 'stopped' });
  t.like(desired(vigil, second), { desired: 'stopped' });
  t.deepEqual(pendingOfOurs(vigil), pending, 'the pending notification is still to be sent');
  t.is(rows(vigil, "SELECT status FROM alerts WHERE fingerprint = 'abcdef0123456789'")[0]?.status, 'firing');
  t.true(rows(vigil, 'SELECT name FROM history WHERE name = ?', first).length > 0, 'the history');
});
