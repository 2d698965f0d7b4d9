import test from 'ava';
import { connect, RequestStrategy, type NatsConnection } from 'nats';
import { docker, runContainer, waitFor } from '../helpers/engine.js';
import { TestAlertmanager } from '../helpers/alertmanager.js';
import { NatsServer } from '../helpers/nats.js';
import { freePort } from '../helpers/net.js';
import { PrivateEngine } from '../helpers/private-engine.js';
import { TestPrometheus } from '../helpers/prometheus.js';
import { startVigil, type RunningVigil } from '../helpers/vigil.js';

// Three hosts, each its own engine and vigil, behind one nats-server, one Alertmanager pair in a
// cluster and one Prometheus that finds the vigils through file_sd. A container named `web` runs on
// all three: nothing about one host's `web` may reach another's.

const hosts = ['a', 'b', 'c'] as const;
type Host = (typeof hosts)[number];
const token = 'fleet-test-token-0123456789';
const auth = { authorization: `Bearer ${token}` };

const engines = {} as Record<Host, PrivateEngine>;
const vigils = {} as Record<Host, RunningVigil>;
const peers: TestAlertmanager[] = [];
let nats: NatsServer;
let prometheus: TestPrometheus;
let client: NatsConnection;

const startedAt = async (host: Host, name: string) =>
  docker(['inspect', '-f', '{{.State.StartedAt}}', name], engines[host].host);

test.before(async () => {
  nats = new NatsServer(await freePort());
  await nats.start();
  for (const host of hosts) engines[host] = new PrivateEngine();
  await Promise.all(hosts.map((h) => engines[h].up()));
  for (const host of hosts) {
    await runContainer(
      'web',
      ['--label', 'vigil.autoheal=true', '--stop-timeout', '1'],
      ['sleep', '100000'],
      engines[host].host,
    );
  }
  await runContainer('only-on-c', [], ['sleep', '100000'], engines.c.host);

  const [amA, amB, gossipA, gossipB] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const amUrls = [`http://127.0.0.1:${amA}`, `http://127.0.0.1:${amB}`];
  for (const host of hosts) {
    vigils[host] = await startVigil({
      DOCKER_HOST: engines[host].host,
      VIGIL_HOST: host,
      VIGIL_API_TOKEN: token,
      VIGIL_NATS_URL: nats.url,
      VIGIL_ALERTMANAGER_URL: amUrls.join(','),
      // Prometheus names each vigil's target after its host (file_sd below): a misrouted alert is refused
      VIGIL_ALERT_INSTANCE: host,
    });
  }
  await waitFor(() => hosts.every((h) => vigils[h].vigil.nats?.connected), { what: 'three vigils on NATS' });

  // one route per host, by instance, as the shipped alertmanager.yml shows
  const config = [
    'route:',
    '  receiver: vigil-a',
    '  group_by: [alertname, instance, name]',
    '  group_wait: 1s',
    '  group_interval: 2s',
    '  repeat_interval: 1h',
    '  routes:',
    ...hosts.flatMap((h) => [`    - matchers: [instance="${h}"]`, `      receiver: vigil-${h}`]),
    'receivers:',
    ...hosts.flatMap((h) => [
      `  - name: vigil-${h}`,
      '    webhook_configs:',
      `      - url: ${vigils[h].url}/api/v1/alertmanager`,
      '        send_resolved: true',
      '        http_config:',
      '          authorization:',
      `            credentials: ${token}`,
    ]),
    '',
  ].join('\n');
  peers.push(
    new TestAlertmanager(amA, '', token, { port: gossipA, peers: [gossipB] }),
    new TestAlertmanager(amB, '', token, { port: gossipB, peers: [gossipA] }),
  );
  await Promise.all(peers.map((p) => p.startWithConfig(config)));

  prometheus = new TestPrometheus(await freePort(), null, `127.0.0.1:${amA}`);
  prometheus.writeTargets(
    'fleet',
    hosts.map((h) => ({ targets: [vigils[h].url.replace('http://', '')], labels: { instance: h } })),
  );
  await prometheus.start();

  client = await connect({ servers: nats.url });
});

test.after.always(async () => {
  await client?.close();
  await prometheus?.stop();
  await Promise.all(peers.map((p) => p.stop()));
  await Promise.all(hosts.map((h) => vigils[h]?.stop()));
  await nats?.stop();
  await Promise.all(hosts.map((h) => engines[h]?.destroy()));
});

async function answers(subject: string, payload: string): Promise<{ host: string }[]> {
  const replies = await client.requestMany(subject, payload, { strategy: RequestStrategy.Timer, maxWait: 1500 });
  const out: { host: string }[] = [];
  for await (const reply of replies) out.push(reply.json());
  return out;
}

test.serial(
  "a restart alert about host b's web, through the Alertmanager cluster, restarts b's web only",
  async (t) => {
    const before = Object.fromEntries(await Promise.all(hosts.map(async (h) => [h, await startedAt(h, 'web')])));
    const labels = {
      alertname: 'FleetWebStuck',
      instance: 'b',
      name: 'web',
      severity: 'critical',
      vigil_action: 'restart',
    };
    // both peers hear of it, as two Prometheus servers would tell them; the cluster notifies once
    await Promise.all(peers.map((p) => p.post(labels, { summary: 'web on b is stuck' })));
    await waitFor(async () => (await startedAt('b', 'web')) !== before.b, {
      what: "b's web restarted",
      timeoutMs: 30_000,
    });

    // the same alert misrouted to a and c (a route gone wrong): each refuses it as another host's
    const body = JSON.stringify({
      version: '4',
      status: 'firing',
      receiver: 'wrong',
      groupKey: '{}:{alertname="FleetWebStuck"}',
      groupLabels: {},
      commonLabels: labels,
      commonAnnotations: {},
      externalURL: 'http://am',
      alerts: [
        {
          ...{ status: 'firing', labels, annotations: {}, startsAt: new Date().toISOString() },
          ...{ endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: 'f1ee7f1ee7f1' },
        },
      ],
    });
    for (const h of ['a', 'c'] as const) {
      const res = await vigils[h].get('/api/v1/alertmanager', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body,
      });
      t.is(res.status, 200);
      t.like(await res.json(), { recorded: 0, otherHost: 1 });
    }
    t.is(await startedAt('a', 'web'), before.a, "a's web was not touched");
    t.is(await startedAt('c', 'web'), before.c, "c's web was not touched");
    const restarts = (h: Host) =>
      vigils[h].vigil.bus.since(0).events.filter((e) => e.type === 'recovery.action' && e.container?.name === 'web');
    t.is(restarts('b').length, 1, 'one restart on b, though both peers had the alert');
    t.deepEqual([restarts('a').length, restarts('c').length], [0, 0]);
    t.is(restarts('b')[0]!.host, 'b');
  },
);

test.serial("a NATS request about c's container is answered by c alone; the fleet request by all three", async (t) => {
  const onC = await answers('vigil.c.container.health', 'web');
  t.deepEqual(
    onC.map((a) => a.host),
    ['c'],
  );
  const anywhere = await answers('vigil.fleet.container', 'only-on-c');
  t.deepEqual(
    anywhere.map((a) => a.host),
    ['c'],
    'a and b do not have it and stay silent',
  );
  const fleet = await answers('vigil.fleet.health', '');
  t.deepEqual(fleet.map((a) => a.host).sort(), ['a', 'b', 'c']);
  t.true(fleet.every((f) => (f as unknown as { total: number }).total >= 1));

  // the page's fleet view gathers the same through any one vigil
  const view = (await (await vigils.a.get('/api/v1/fleet', { headers: auth })).json()) as {
    nats: boolean;
    hosts: { host: string }[];
  };
  t.true(view.nats);
  t.deepEqual(
    view.hosts.map((h) => h.host),
    ['a', 'b', 'c'],
  );
});

test.serial('events of every host follow one wildcard subscription, each naming its host', async (t) => {
  const seen: { host?: string; type: string }[] = [];
  const sub = client.subscribe('vigil.*.events', { callback: (_e, m) => seen.push(m.json()) });
  for (const h of hosts) await docker(['pause', 'web'], engines[h].host);
  for (const h of hosts) await docker(['unpause', 'web'], engines[h].host);
  await waitFor(() => hosts.every((h) => seen.some((e) => e.host === h && e.type === 'container.state')), {
    what: 'a state event from each host',
  });
  sub.unsubscribe();
  t.deepEqual([...new Set(seen.map((e) => e.host))].sort(), ['a', 'b', 'c']);
});

test.serial('acknowledging on vigil a creates a silence that both Alertmanager peers list', async (t) => {
  const labels = { alertname: 'FleetAck', instance: 'a', name: 'web', severity: 'warning' };
  await Promise.all(peers.map((p) => p.post(labels, { summary: 'ack me' })));
  const alert = await waitFor(
    async () => {
      const body = (await (await vigils.a.get('/api/v1/alerts', { headers: auth })).json()) as {
        alerts: { id: string; alertname: string }[];
      };
      return body.alerts.find((a) => a.alertname === 'FleetAck');
    },
    { what: 'the alert at vigil a', timeoutMs: 20_000 },
  );
  const ack = await vigils.a.get(`/api/v1/alerts/${alert.id}/acknowledge`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ by: 'fleet-test', comment: 'seen' }),
  });
  t.is(ack.status, 200);
  for (const peer of peers) {
    const silence = await waitFor(
      async () => (await peer.silences()).find((s) => s.matchers.some((m) => m.value === 'FleetAck')),
      { what: `the silence on ${peer.url}`, timeoutMs: 15_000 },
    );
    t.is(silence.status.state, 'active');
  }
});

test.serial(
  "Prometheus tells each host's series apart by instance, and the host selector finds the three",
  async (t) => {
    const web = await waitFor(
      async () => {
        const r = await prometheus.query('count by (instance) (docker_container_info{name="web"})');
        return r.data.result.length === 3 && (r.data.result as { metric: { instance: string } }[]);
      },
      { what: 'web on three instances', timeoutMs: 30_000 },
    );
    t.deepEqual(web.map((r) => r.metric.instance).sort(), ['a', 'b', 'c']);
    // the dashboard's variable: label_values(vigil_host_info, instance)
    const res = await fetch(`${prometheus.url}/api/v1/label/instance/values?match[]=vigil_host_info`);
    const values = ((await res.json()) as { data: string[] }).data;
    t.deepEqual(values.sort(), ['a', 'b', 'c']);
    const named = await prometheus.query('vigil_host_info');
    t.deepEqual(
      (named.data.result as { metric: { instance: string; host: string } }[])
        .map((r) => `${r.metric.instance}=${r.metric.host}`)
        .sort(),
      ['a=a', 'b=b', 'c=c'],
    );
  },
);
