import test from 'ava';
import { docker as dockerOn, runContainer, uniqueName, waitFor } from '../helpers/engine.js';
import { freePort } from '../helpers/net.js';
import { PrivateEngine } from '../helpers/private-engine.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { metricValue, scrape, startVigilWithChannels, type RunningVigil } from '../helpers/vigil.js';

// the incident's thread holds only its container's news, and only this vigil acts on it: on the suite's
// shared engine every other file's vigil restarted the labelled container too, and their containers'
// news went into the same mails (a mail about several incidents belongs to none, so had no incident header)
const engine = new PrivateEngine();
const docker = (args: string[]) => dockerOn(args, engine.host);
let vigil: RunningVigil;
let smtp: TestSmtpServer;
const name = uniqueName('incident');

interface IncidentBody {
  id: string;
  outcome: string;
  subject: string;
  container: { name: string };
  timeline: { seq: number; kind: string; what: string }[];
}

test.before(async () => {
  await engine.up();
  smtp = new TestSmtpServer(await freePort());
  await smtp.start();
  vigil = await startVigilWithChannels([smtp.channel()], {
    DOCKER_HOST: engine.host,
    VIGIL_NOTIFY_GROUP_SECONDS: '0',
    VIGIL_INCIDENT_QUIET_SECONDS: '2',
    VIGIL_BACKOFF_BASE_SECONDS: '1',
  });
});

test.after.always(async () => {
  await vigil?.stop();
  await smtp?.stop();
  await engine.destroy();
});

const header = (raw: string, key: string) =>
  new RegExp(`^${key}: (.*(?:\\r?\\n[ \\t].*)*)`, 'mi')
    .exec(raw)?.[1]
    ?.replace(/\r?\n[ \t]/g, ' ')
    .trim();

test.serial(
  'an unhealthy labelled container that vigil restarts is one incident of three steps, told in one mail thread',
  async (t) => {
    // its check passes while /tmp/ok exists; a restart makes the file again
    await runContainer(
      name,
      [
        ...['--label', 'vigil.autoheal=true', '--stop-timeout', '1'],
        ...['--health-cmd', 'test -f /tmp/ok', '--health-interval', '1s', '--health-retries', '1'],
      ],
      ['sh', '-c', 'touch /tmp/ok; exec sleep 100000'],
      engine.host,
    );
    await waitFor(
      () => vigil.vigil.inventory.all().find((e) => e.record.name === name && e.record.health?.status === 'healthy'),
      {
        what: 'healthy first',
        timeoutMs: 20_000,
      },
    );
    await docker(['exec', name, 'rm', '/tmp/ok']);

    const incident = await waitFor(
      async () => {
        const body = (await (await vigil.get('/api/v1/incidents')).json()) as { recent: IncidentBody[] };
        return body.recent.find((i) => i.container.name === name);
      },
      { what: 'the incident closed', timeoutMs: 40_000 },
    );
    t.is(incident.outcome, 'recovered');
    t.deepEqual(
      incident.timeline.map((s) => s.kind),
      ['seen', 'did', 'recovered'],
    );
    t.regex(incident.timeline[0]!.what, /^unhealthy/);
    t.regex(incident.timeline[1]!.what, /^restart success/);

    const history = (await (await vigil.get(`/api/v1/history/${name}`)).json()) as {
      incidents: { id: string; timeToRecoverSeconds: number | null }[];
      meanTimeToRecoverSeconds: number | null;
    };
    const recovered = history.incidents.find((i) => i.id === incident.id)!;
    t.true(typeof recovered.timeToRecoverSeconds === 'number' && recovered.timeToRecoverSeconds >= 1);
    t.is(history.meanTimeToRecoverSeconds, recovered.timeToRecoverSeconds);
    t.true(
      (metricValue(await scrape(vigil), 'vigil_incident_duration_seconds_count', { outcome: 'recovered' }) ?? 0) >= 1,
    );

    const thread = await waitFor(
      () => {
        const mails = smtp.mails.filter((m) => header(m.raw, 'X-Vigil-Incident')?.startsWith(`${incident.id}/`));
        return mails.length >= 3 && mails;
      },
      { what: 'three mails of the incident' },
    );
    t.is(new Set(thread.map((m) => m.subject)).size, 1, 'one subject throughout');
    const ids = thread.map((m) => header(m.raw, 'Message-ID'));
    t.is(new Set(ids).size, thread.length, 'each its own Message-ID');
    const root = thread.find((m) => !header(m.raw, 'In-Reply-To'))!;
    const rootId = header(root.raw, 'Message-ID');
    for (const reply of thread.filter((m) => m !== root)) {
      t.is(header(reply.raw, 'In-Reply-To'), rootId);
      t.is(header(reply.raw, 'References'), rootId);
    }
  },
);
