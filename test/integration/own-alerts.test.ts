import test from 'ava';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import type { VigilEvent } from '../../src/streams/event-bus.js';
import { TestAlertmanager } from '../helpers/alertmanager.js';
import { docker as dockerOn, runContainer as runOn, uniqueName, waitFor } from '../helpers/engine.js';
import { freePort } from '../helpers/net.js';
import { PrivateEngine } from '../helpers/private-engine.js';
import { metricValue, scrape, startVigil, type RunningVigil } from '../helpers/vigil.js';

// vigil's own alerts through a real Alertmanager, routed by the shipped alertmanager/alertmanager.yml
const engine = new PrivateEngine();
const docker = (args: string[]) => dockerOn(args, engine.host);
const runContainer = (n: string, options: string[], command: string[]) => runOn(n, options, command, engine.host);
const token = 'own-alerts-webhook-token-0123456789';
const host = 'own-alerts-host';
let vigil: RunningVigil;
let am: TestAlertmanager;
let oncall: Server;
const events: VigilEvent[] = [];

interface Notified {
  receiver: string;
  status: string;
  alerts: { status: string; labels: Record<string, string> }[];
}
/** What the `oncall` receiver's loopback stand-in (a PagerDuty in production) was sent. */
const paged: Notified[] = [];

/** The shipped configuration, with its receivers pointed at loopback and its timers made short. */
function shippedConfig(vigilUrl: string, oncallUrl: string): string {
  const config = parse(readFileSync(new URL('../../alertmanager/alertmanager.yml', import.meta.url), 'utf8')) as {
    route: Record<string, unknown> & { routes: Record<string, unknown>[] };
    receivers: { name: string; webhook_configs?: unknown[] }[];
  };
  Object.assign(config.route, { group_wait: '1s', group_interval: '1s', repeat_interval: '2s' });
  for (const route of config.route.routes)
    for (const key of ['group_wait', 'group_interval', 'repeat_interval']) delete route[key];
  const receiver = (name: string) => config.receivers.find((r) => r.name === name)!;
  receiver('vigil').webhook_configs = [
    { url: vigilUrl, send_resolved: true, http_config: { authorization: { credentials: token } } },
  ];
  receiver('oncall').webhook_configs = [{ url: oncallUrl, send_resolved: true }];
  return stringify(config);
}

test.before(async () => {
  await engine.up();
  const oncallPort = await freePort();
  oncall = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      paged.push(JSON.parse(body) as Notified);
      res.end();
    });
  });
  await new Promise<void>((r) => oncall.listen(oncallPort, '127.0.0.1', () => r()));
  const amPort = await freePort();
  vigil = await startVigil({
    DOCKER_HOST: engine.host,
    VIGIL_HOST: host,
    VIGIL_API_TOKEN: token,
    VIGIL_AUTOHEAL: 'labelled',
    VIGIL_BOOT_GRACE_SECONDS: '0.2',
    VIGIL_BACKOFF_BASE_SECONDS: '0.5',
    VIGIL_RECOVERY_MAX_ATTEMPTS: '2',
    VIGIL_ALERTMANAGER_URL: `http://127.0.0.1:${amPort}`,
    VIGIL_ALERT_RESEND_SECONDS: '1',
  });
  vigil.vigil.bus.on('event', (e) => events.push(e));
  am = new TestAlertmanager(amPort, `${vigil.url}/api/v1/alertmanager`, token);
  await am.startWithConfig(
    shippedConfig(`${vigil.url}/api/v1/alertmanager`, `http://127.0.0.1:${oncallPort}/alertmanager`),
  );
  await waitFor(() => vigil.vigil.inventory.synced, { what: 'the first sync' });
});

test.after.always(async () => {
  await am?.stop();
  await vigil?.stop();
  await new Promise((r) => oncall?.close(r));
  await engine.destroy();
});

const auth = { authorization: `Bearer ${token}` };
const listed = async (alertname: string, container: string) =>
  (
    (await (await vigil.get('/api/v1/alerts', { headers: auth })).json()) as {
      alerts: { alertname: string; container: string | null; source: string; actionRequired: boolean }[];
    }
  ).alerts.filter((a) => a.alertname === alertname && a.container === container);

const pagedAbout = (container: string, status: 'firing' | 'resolved') =>
  paged.find(
    (n) =>
      n.receiver === 'oncall' &&
      n.alerts.some(
        (a) => a.status === status && a.labels.alertname === 'VigilRecoveryGaveUp' && a.labels.container === container,
      ),
  );

test.serial(
  'a container vigil gives up on pages oncall through Alertmanager, resolved once it is healthy again; the alert comes back to vigil, listed once, acted on by nothing',
  async (t) => {
    const n = uniqueName('given-up');
    // crashes until /ok exists in its own filesystem, which survives its restarts
    await runContainer(n, ['--label', 'vigil.autoheal=true'], ['sh', '-c', 'test -f /ok || exit 3; exec sleep 3600']);
    await waitFor(() => events.find((e) => e.type === 'recovery.gave_up' && e.container?.name === n), {
      what: 'vigil gives up',
      timeoutMs: 60_000,
    });
    const firing = await waitFor(() => pagedAbout(n, 'firing'), { what: 'oncall paged', timeoutMs: 60_000 });
    const alert = firing.alerts.find((a) => a.labels.container === n)!;
    t.like(alert.labels, {
      alertname: 'VigilRecoveryGaveUp',
      severity: 'critical',
      host,
      container: n,
      source: 'vigil',
    });

    // vigil's own webhook got it back: listed once, as vigil's own, and a person must act
    const [own, ...more] = await waitFor(
      async () => {
        const found = await listed('VigilRecoveryGaveUp', n);
        return found.length > 0 && found;
      },
      { what: 'the alert in the list', timeoutMs: 30_000 },
    );
    t.is(more.length, 0);
    t.like(own, { source: 'vigil', actionRequired: true });
    const actionsAfterGiveUp = events.filter((e) => e.type === 'recovery.action' && e.container?.name === n).length;
    // Alertmanager sends it again and again (every 2 s here): still nothing acts on it
    await waitFor(
      async () =>
        (metricValue(await scrape(vigil), 'vigil_alerts_received_total', { disposition: 'vigil_own' }) ?? 0) >= 3,
      {
        what: 'the alert back at the webhook several times',
        timeoutMs: 30_000,
      },
    );
    t.is((await listed('VigilRecoveryGaveUp', n)).length, 1);
    t.is(events.filter((e) => e.type === 'recovery.action' && e.container?.name === n).length, actionsAfterGiveUp);
    t.is(events.filter((e) => e.type === 'recovery.gave_up' && e.container?.name === n).length, 1);
    // no second notification: the echo is not published for the channels
    t.false(events.some((e) => e.type === 'alert' && e.data.alertname === 'VigilRecoveryGaveUp'));

    // a person mends it: healthy again, and the page resolves
    await docker(['cp', '/dev/null', `${n}:/ok`]);
    await docker(['start', n]);
    await waitFor(() => pagedAbout(n, 'resolved'), { what: 'oncall told it is resolved', timeoutMs: 60_000 });
    await waitFor(async () => (await listed('VigilRecoveryGaveUp', n)).length === 0, {
      what: 'the alert off the list',
      timeoutMs: 30_000,
    });
    t.deepEqual(await listed('VigilRecoveryGaveUp', n), [], 'and it stays off');
  },
);
