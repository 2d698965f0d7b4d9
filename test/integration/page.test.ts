import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { SettingsAnswer } from '../../src/http/api-types.js';
import { TestAlertmanager } from '../helpers/alertmanager.js';
import { docker, removeContainers, runContainer, uniqueName, waitFor } from '../helpers/engine.js';
import { freePort } from '../helpers/net.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { startVigil, type RunningVigil, readiness } from '../helpers/vigil.js';
import { fileTempDirs } from '../helpers/temp-dir.js';

const temp = fileTempDirs(test);

// The status page in a real headless browser (Debian's chromium, driven by playwright-core) against a
// real vigil on the test engine, a real Alertmanager and an SMTP server. Screenshots: test/artifacts/.
const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url));
mkdirSync(artifacts, { recursive: true });
const healthy = uniqueName('page-ok');
const turning = uniqueName('page-turns');
let browser: Browser;
let vigil: RunningVigil;
let am: TestAlertmanager;
let smtp: TestSmtpServer;

test.before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  smtp = new TestSmtpServer(await freePort());
  await smtp.start();
  const amPort = await freePort();
  const file = join(temp('page'), 'vigil.json');
  writeFileSync(
    file,
    JSON.stringify({
      channels: [smtp.channel()],
    }),
  );
  vigil = await startVigil({ VIGIL_CONFIG: file, VIGIL_ALERTMANAGER_URL: `http://127.0.0.1:${amPort}` });
  am = new TestAlertmanager(amPort, `${vigil.url}/api/v1/alertmanager`, 'unused-token');
  await am.start();
  const check = ['--health-cmd', 'test -f /tmp/ok', '--health-interval', '1s', '--health-retries', '1'];
  await runContainer(healthy, check, ['sh', '-c', 'touch /tmp/ok; exec sleep 100000']);
  await runContainer(turning, check, ['sh', '-c', 'touch /tmp/ok; exec sleep 100000']);
  await waitFor(async () => (await readiness(vigil.url)) === 'ok', { what: 'ready' });
});

test.after.always(async () => {
  await browser?.close();
  await am?.stop();
  await vigil?.stop();
  await smtp?.stop();
  await removeContainers([healthy, turning]);
});

async function open(url: string, width = 1280): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.goto(url);
  return page;
}
const row = (page: Page, name: string) => page.locator(`tr[data-container="${name}"]`);

test.serial(
  'the page lists the containers with their health, and one made unhealthy turns so live, without a reload',
  async (t) => {
    const page = await open(vigil.url);
    t.teardown(() => page.close());
    await row(page, healthy).waitFor();
    await waitFor(async () => (await row(page, healthy).getAttribute('data-health')) === 'healthy', {
      what: 'healthy on the page',
    });
    await waitFor(async () => (await row(page, turning).getAttribute('data-health')) === 'healthy', {
      what: 'healthy first',
    });
    const loads = await page.evaluate(() => performance.getEntriesByType('navigation').length);
    await docker(['exec', turning, 'rm', '/tmp/ok']);
    await waitFor(async () => (await row(page, turning).getAttribute('data-health')) === 'unhealthy', {
      what: 'unhealthy on the page',
      timeoutMs: 15_000,
    });
    t.is(await page.evaluate(() => performance.getEntriesByType('navigation').length), loads, 'no reload');
    // unhealthy first (other test files' containers share the engine: compare the order of the rows)
    const order = await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-health')));
    const firstHealthy = order.indexOf('healthy');
    t.true(firstHealthy === -1 || order.lastIndexOf('unhealthy') < firstHealthy, order.join(','));
    await page.screenshot({ path: join(artifacts, 'page-containers.png'), fullPage: true });
    await docker(['exec', turning, 'touch', '/tmp/ok']);
  },
);

test.serial('a click opens the container: its health check, what vigil did, and live logs', async (t) => {
  const page = await open(vigil.url);
  t.teardown(() => page.close());
  await row(page, healthy).locator('a').click();
  await page.getByRole('heading', { name: healthy }).waitFor();
  t.is(new URL(page.url()).pathname, `/containers/${healthy}`);
  await page.getByText('Health check').waitFor();
  await waitFor(async () => (await page.locator('.detail .list li').count()) > 0, { what: 'health probes listed' });
  await page.screenshot({ path: join(artifacts, 'page-container.png'), fullPage: true });
  await page.goBack();
  await row(page, healthy).waitFor();
  t.is(new URL(page.url()).pathname, '/', "back to the list, by the browser's own history");
});

test.serial(
  'Acknowledge on a firing alert creates a silence in Alertmanager, and the page shows it acknowledged',
  async (t) => {
    const page = await open(vigil.url);
    t.teardown(() => page.close());
    await am.post(
      { alertname: 'PageTestAlert', severity: 'warning', container: healthy },
      { summary: 'for the page test' },
    );
    const item = page.locator('li[data-alert="PageTestAlert"]');
    await item.waitFor({ timeout: 20_000 });
    await item.getByRole('button', { name: 'Acknowledge' }).click();
    await item.getByText('acknowledged by').waitFor({ timeout: 10_000 });
    const silences = await am.silences();
    t.true(
      silences.some(
        (s) =>
          s.status.state === 'active' && s.matchers.some((m) => m.name === 'alertname' && m.value === 'PageTestAlert'),
      ),
    );
    await page.screenshot({ path: join(artifacts, 'page-alert-acknowledged.png') });
  },
);

test.serial('"Send test" on a channel reaches the SMTP server and says so', async (t) => {
  const page = await open(vigil.url);
  t.teardown(() => page.close());
  const channel = page.locator('li[data-channel="mail"]');
  await channel.waitFor();
  // other test files' containers share the engine, and their news reaches this SMTP server too: count
  // only the test messages
  const testMails = () => smtp.mails.filter((m) => /Test message from vigil to mail/.test(m.subject)).length;
  const before = testMails();
  await channel.getByRole('button', { name: 'Send test' }).click();
  await channel.getByText(/delivered in \d+ ms/).waitFor({ timeout: 15_000 });
  t.is(testMails(), before + 1);
});

test.serial(
  "a channel's minimum severity and events set under Configure alerts apply on the server, and Revert gives them back",
  async (t) => {
    const page = await open(vigil.url);
    t.teardown(() => page.close());
    const mail = page.locator('li[data-channel-settings="mail"]');
    await mail.waitFor();
    const settings = async () =>
      ((await (await vigil.get('/api/v1/settings')).json()) as SettingsAnswer).channels.find((c) => c.name === 'mail');
    await mail.getByLabel('Minimum severity').selectOption('critical');
    // a click, not check(): the box shows what the server holds, so it turns checked once the PATCH is
    // answered (check() looked at once and, under load, found it unchanged); the wait below is the test
    await mail.getByLabel('gave up', { exact: true }).click();
    const set = await waitFor(
      async () => {
        const c = await settings();
        return c?.minSeverity.source === 'page' && c.events.source === 'page' ? c : null;
      },
      { what: "the page's values on the server" },
    );
    t.deepEqual(set.minSeverity, { value: 'critical', source: 'page' });
    t.deepEqual(set.events, { value: ['gave_up'], source: 'page' });
    await mail.getByRole('button', { name: 'Revert', exact: true }).click();
    await mail.getByRole('button', { name: 'Revert events' }).click();
    const back = await waitFor(
      async () => {
        const c = await settings();
        return c?.minSeverity.source === 'file' && c.events.source === 'file' ? c : null;
      },
      { what: 'back to the file' },
    );
    t.deepEqual(back.events, { value: null, source: 'file' });
  },
);

test.serial('at 375 px wide the page has no horizontal scroll, in the dark scheme too', async (t) => {
  for (const colorScheme of ['light', 'dark'] as const) {
    const page = await browser.newPage({ viewport: { width: 375, height: 800 }, colorScheme });
    await page.goto(vigil.url);
    await row(page, healthy).waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    if (overflow > 0) {
      const wide = await page.evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
          .slice(0, 5)
          .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`),
      );
      t.log(`wider than the screen: ${wide.join('; ')}`);
    }
    t.is(overflow, 0, `${colorScheme}: ${overflow} px of horizontal scroll`);
    await page.screenshot({ path: join(artifacts, `page-375-${colorScheme}.png`), fullPage: true });
    await page.close();
  }
});

test.serial(
  'with a token: a wrong one is refused, the right one signs in, and the page then works on its cookie',
  async (t) => {
    const guarded = await startVigil({ VIGIL_API_TOKEN: 'page-token-0123456789' });
    t.teardown(() => guarded.stop());
    const page = await open(guarded.url);
    t.teardown(() => page.close());
    await page.getByLabel('API token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('That is not the API token.').waitFor();
    await page.getByLabel('API token').fill('page-token-0123456789');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await row(page, healthy).waitFor({ timeout: 15_000 });
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'vigil_session');
    t.truthy(session);
    t.true(session!.httpOnly);
    t.is(session!.sameSite, 'Strict');
    // the cookie alone does not change anything: a POST without the page's CSRF header is refused
    const forged = await page.evaluate(
      async () => (await fetch('/api/v1/channels/mail/test', { method: 'POST' })).status,
    );
    t.is(forged, 403);
    await page.screenshot({ path: join(artifacts, 'page-signed-in.png') });
  },
);

test.serial("Stop on a container's page asks first, then stops it as a person's stop", async (t) => {
  const stopme = uniqueName('page-stop');
  await runContainer(stopme, ['--stop-timeout', '1'], ['sleep', '100000']);
  t.teardown(() => removeContainers([stopme]));
  await waitFor(async () => (await vigil.get(`/api/v1/containers/${stopme}/health`)).status === 200, {
    what: 'vigil knows it',
  });
  const page = await open(`${vigil.url}/containers/${stopme}`);
  t.teardown(() => page.close());
  const answers = ['dismiss', 'accept'];
  const asked: string[] = [];
  page.on('dialog', (d) => {
    asked.push(d.message());
    void (answers.shift() === 'accept' ? d.accept() : d.dismiss());
  });
  await page.getByRole('button', { name: 'Stop' }).click();
  await waitFor(() => asked.length === 1, { what: 'the confirmation' });
  await new Promise((r) => setTimeout(r, 500));
  t.is(await docker(['inspect', '-f', '{{.State.Status}}', stopme]), 'running', 'nothing without the confirmation');
  await page.getByRole('button', { name: 'Stop' }).click();
  await page.getByRole('status').filter({ hasText: 'stop: done' }).waitFor();
  t.is(await docker(['inspect', '-f', '{{.State.Status}}', stopme]), 'exited');
  t.regex(asked[1]!, new RegExp(`Stop ${stopme}\\?`));
  const history = (await (await vigil.get(`/api/v1/history/${stopme}`)).json()) as {
    intents: { desired: string; by?: string }[];
  };
  t.like(history.intents.at(-1), { desired: 'stopped', by: 'api' }, 'with no token, the page is the API');
});

test.serial('the host panel says what waits in the notification queue, as /api/v1/system counts it', async (t) => {
  const page = await open(vigil.url);
  t.teardown(() => page.close());
  const line = page.locator('[data-testid="queue"]');
  await line.waitFor();
  const system = async () =>
    (
      (await (await vigil.get('/api/v1/system')).json()) as {
        notifications: { pending: number; oldestPendingSeconds: number };
      }
    ).notifications;
  t.deepEqual(Object.keys(await system()).sort(), ['oldestPendingSeconds', 'pending']);
  // other files' containers crash and spike on the shared engine, and their news passes through this
  // queue: the page and the API are read until one reading of each agrees, as they must once it is quiet
  const agreed = await waitFor(
    async () => {
      const shown = /^notifications queued: (\d+) \(oldest \d+s\)$/.exec(((await line.textContent()) ?? '').trim());
      const { pending } = await system();
      return shown !== null && Number(shown[1]) === pending && { shown: shown[0], pending };
    },
    { what: 'the page and /api/v1/system to agree on the queue', timeoutMs: 30_000 },
  );
  t.log(`the page: "${agreed.shown}"; /api/v1/system: ${agreed.pending} pending`);
  t.regex(agreed.shown, new RegExp(`^notifications queued: ${agreed.pending} `));
});
