import test from 'ava';
import { chromium, type Browser } from 'playwright-core';
import { docker, execEndingTheRun, removeContainers, runContainer, uniqueName, waitFor } from '../helpers/engine.js';
import { freePort } from '../helpers/net.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { metricValue, scrape, startVigilWithChannels, type RunningVigil } from '../helpers/vigil.js';

// A person's `docker stop` is a stop, not an illness: no incident, no notification, no red row, and the
// JSON API, /metrics and the page say the same. A crash beside it shows what trouble looks like.
const deaf = uniqueName('stop-deaf'); // ignores SIGTERM: SIGKILL after the timeout, exit 137
const sore = uniqueName('stop-sore'); // exits 1 on SIGTERM: a non-zero exit, but still a person's stop
const crasher = uniqueName('stop-crash'); // exits 3 on its own: a crash
let vigil: RunningVigil;
let smtp: TestSmtpServer;
let browser: Browser;

interface Summary {
  containers: { name: string; health: string; status: string }[];
  unhealthy: number;
}
interface IncidentBody {
  container: { name: string };
  subject: string;
}

test.before(async () => {
  smtp = new TestSmtpServer(await freePort());
  await smtp.start();
  vigil = await startVigilWithChannels([smtp.channel()], { VIGIL_NOTIFY_GROUP_SECONDS: '0' });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  await Promise.all([
    runContainer(deaf, ['--stop-timeout', '1'], ['sleep', '100000']),
    runContainer(sore, [], ['sh', '-c', "trap 'exit 1' TERM; while true; do sleep 0.2; done"]),
    runContainer(crasher, [], ['sh', '-c', 'while [ ! -f /tmp/crash ]; do sleep 0.2; done; exit 3']),
  ]);
});

test.after.always(async () => {
  await browser?.close();
  await vigil?.stop();
  await smtp?.stop();
  await removeContainers([deaf, sore, crasher]);
});

const summary = async () => (await (await vigil.get('/api/v1/containers/health')).json()) as Summary;
const healthIn = (s: Summary, name: string) => s.containers.find((c) => c.name === name);

test.serial(
  'docker stop opens no incident, sends nothing, and the JSON API, /metrics and the page agree',
  async (t) => {
    await waitFor(
      async () => {
        const s = await summary();
        return [deaf, sore, crasher].every((n) => healthIn(s, n)?.health === 'healthy');
      },
      { what: 'all three healthy first', timeoutMs: 30_000 },
    );

    await Promise.all([docker(['stop', '-t', '1', deaf]), docker(['stop', '-t', '5', sore])]);
    t.is(await docker(['inspect', '-f', '{{.State.ExitCode}}', deaf]), '137');
    t.is(await docker(['inspect', '-f', '{{.State.ExitCode}}', sore]), '1');
    await execEndingTheRun(crasher, ['touch', '/tmp/crash']);

    // the crash is told (an incident and a mail): by then anything the stops caused would have been too
    await waitFor(() => smtp.mails.find((m) => m.subject.includes(crasher)), {
      what: 'the crash mail',
      timeoutMs: 30_000,
    });
    const s = await waitFor(
      async () => {
        const now = await summary();
        return [deaf, sore].every((n) => healthIn(now, n)?.status === 'exited') &&
          healthIn(now, crasher)?.status === 'exited'
          ? now
          : undefined;
      },
      { what: 'all three exited in the API' },
    );
    t.is(healthIn(s, deaf)?.health, 'none');
    t.is(healthIn(s, sore)?.health, 'none');
    t.is(healthIn(s, crasher)?.health, 'unhealthy');

    const incidents = (await (await vigil.get('/api/v1/incidents')).json()) as {
      open: IncidentBody[];
      recent: IncidentBody[];
    };
    const all = [...incidents.open, ...incidents.recent];
    t.deepEqual(
      all.filter((i) => i.container.name === deaf || i.container.name === sore),
      [],
    );
    t.true(all.some((i) => i.container.name === crasher && /crashed \(exit code 3\)/.test(i.subject)));
    t.deepEqual(
      smtp.mails.filter((m) => m.raw.includes(deaf) || m.raw.includes(sore)).map((m) => m.subject),
      [],
    );

    // /metrics: the same health for each, and the same count of unhealthy containers. Other test files'
    // containers share the engine and change meanwhile, and a scrape may carry the sweep before the
    // last: the two surfaces are compared on a scrape taken between two answers of the JSON API that
    // agree with each other, and must come to agree on every container (a lasting difference fails)
    const statuses = ['healthy', 'unhealthy', 'starting', 'none'];
    const healthList = (x: Summary) => JSON.stringify(x.containers.map((c) => [c.name, c.health]).sort());
    let differences: string[] = [];
    const agreed = await waitFor(
      async () => {
        const before = await summary();
        const text = await scrape(vigil);
        const latest = await summary();
        if (healthList(before) !== healthList(latest)) return undefined;
        const metricHealth = (name: string) =>
          statuses.find((status) => metricValue(text, 'docker_container_health_status', { name, status }) === 1);
        const unhealthyInMetrics = latest.containers.filter((c) => metricHealth(c.name) === 'unhealthy').length;
        differences = [
          ...latest.containers
            .filter((c) => metricHealth(c.name) !== c.health)
            .map((c) => `${c.name}: ${c.health} in the API, ${metricHealth(c.name)} in /metrics`),
          ...(unhealthyInMetrics === latest.unhealthy
            ? []
            : [`${latest.unhealthy} unhealthy in the API, ${unhealthyInMetrics} in /metrics`]),
        ];
        return differences.length === 0 && latest;
      },
      { what: 'the JSON API and /metrics to agree' },
    ).catch((err: Error) => {
      t.fail(`${err.message}; last differences: ${differences.join('; ')}`);
      return null;
    });
    for (const name of [deaf, sore, crasher]) t.truthy(agreed && healthIn(agreed, name), `${name} in both`);

    // the page: the stopped rows are not red; the crashed one is
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    t.teardown(() => page.close());
    await page.goto(vigil.url);
    const row = (name: string) => page.locator(`tr[data-container="${name}"]`);
    await waitFor(async () => (await row(crasher).getAttribute('class'))?.includes('health-unhealthy'), {
      what: 'the crashed row red',
    });
    for (const name of [deaf, sore]) {
      t.is(await row(name).getAttribute('data-health'), 'none', `${name} on the page`);
      t.false((await row(name).getAttribute('class'))?.includes('health-unhealthy') ?? true, `${name} not red`);
      const edge = await row(name)
        .locator('td')
        .first()
        .evaluate((td) => getComputedStyle(td).borderLeftStyle);
      t.not(edge, 'solid', `${name} has no red edge`);
    }
  },
);
