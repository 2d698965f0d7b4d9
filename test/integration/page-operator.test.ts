import test from 'ava';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ContainerThresholdsAnswer, SettingsAnswer } from '../../src/http/api-types.js';
import { verifySignature } from '../../src/notify/channels/webhook.js';
import type { VigilEvent } from '../../src/streams/event-bus.js';
import { docker, removeContainers, runContainer, uniqueName, waitFor } from '../helpers/engine.js';
import { readiness, startVigil, type RunningVigil } from '../helpers/vigil.js';
import { fileTempDirs } from '../helpers/temp-dir.js';

// What an operator does on the page, in Debian's chromium (playwright-core) against a real vigil on the
// test engine: the charts, the log viewer, actions, alert thresholds, the feed, and the phone width.
// Screenshots at 1280 and 390 px of the overview and a detail view go to test/artifacts/.
const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url));
mkdirSync(artifacts, { recursive: true });
const busy = uniqueName('page-busy');
const quitter = uniqueName('page-quits');
const probed = uniqueName('page-probed');
const dataDir = fileTempDirs(test)('page-operator');
let browser: Browser;
let vigil: RunningVigil;
const events: VigilEvent[] = [];

const start = async () => {
  const started = await startVigil({
    VIGIL_DATA_DIR: dataDir,
    // restarted on its store beside other files' containers on the shared engine, whose should-run ones
    // are not its business: no reconcile is tested here. (page-settings' vigil once started this file's
    // container that exits with code 3, 0.3 s after it exited: its reconcile read records whose
    // inspections had not landed, fixed in the medic since; test/recovery/medic/medic.test.ts)
    VIGIL_RECONCILE_ON_BOOT: 'off',
    VIGIL_SPIKE_NOTIFY: 'always',
  });
  started.vigil.bus.on('event', (e) => events.push(e));
  await waitFor(async () => (await readiness(started.url)) === 'ok', { what: 'ready' });
  return started;
};

test.before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  vigil = await start();
  // half a core, burnt whole: 100 % of its limit, 50 % of a core; no spike until a line is set lower
  await runContainer(
    busy,
    [
      '--cpus',
      '0.5',
      '--label',
      'vigil.cpu.warn=500',
      '--label',
      'vigil.cpu.crit=900',
      '--label',
      'vigil.spike.for=1s',
    ],
    ['sh', '-c', 'yes > /dev/null & exec sleep 100000'],
  );
});

test.after.always(async () => {
  await browser?.close();
  await vigil?.stop();
  await removeContainers([busy, quitter, probed]);
});

async function open(path: string, width = 1280): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.goto(`${vigil.url}${path}`);
  return page;
}

const horizontalScroll = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

test.serial("a busy container's chart shows its CPU with an axis, a unit and its current value", async (t) => {
  const page = await open(`/containers/${busy}`);
  t.teardown(() => page.close());
  const chart = page.locator('figure[data-chart="CPU (of a core)"]');
  await chart.waitFor();
  const now = await waitFor(
    async () => {
      const text = (await chart.locator('[data-testid="chart-now"]').textContent()) ?? '';
      const value = /CPU ([\d.]+) %/.exec(text);
      // above zero, not above a share of the machine: under a load of 37 on 2 cores the burner got 1.8 % of a core
      return value && Number(value[1]) > 0 ? Number(value[1]) : null;
    },
    { what: 'a CPU value on the chart', timeoutMs: 30_000 },
  );
  t.true(now > 0 && now < 60, `${now} % of a core, for a container held to half of one`);
  const ticks = await chart.locator('.tick text').allTextContents();
  t.true(ticks.length >= 3, ticks.join(','));
  t.true(
    ticks.every((x) => / %$/.test(x)),
    `the axis has its unit: ${ticks.join(',')}`,
  );
  t.regex((await chart.locator('figcaption').textContent()) ?? '', /limit 50 %/);
  t.true((await chart.locator('path.series').getAttribute('d'))!.length > 10, 'a line is drawn');
  // the hover readout says the time and the value under the pointer
  const box = (await chart.locator('svg').boundingBox())!;
  await page.mouse.move(box.x + box.width - 20, box.y + box.height / 2);
  await waitFor(
    async () => /^\d\d:\d\d:\d\d · CPU [\d.]+ %/.test((await chart.locator('.chart-readout').textContent()) ?? ''),
    {
      what: 'the hover readout',
    },
  );
  await page.screenshot({ path: join(artifacts, 'page-detail-1280.png'), fullPage: true });
  const phone = await open(`/containers/${busy}`, 390);
  t.teardown(() => phone.close());
  await phone
    .locator('figure[data-chart="CPU (of a core)"] path.series[d^="M"]')
    .first()
    .waitFor({ state: 'attached' });
  await phone
    .locator('.line')
    .first()
    .waitFor({ state: 'attached', timeout: 15_000 })
    .catch(() => undefined);
  t.is(await horizontalScroll(phone), 0, 'no horizontal scroll on the detail view at 390 px');
  await phone.screenshot({ path: join(artifacts, 'page-detail-390.png'), fullPage: true });
});

test.serial("a stopped container's log panel holds each line once, after 30 s, and says it stopped", async (t) => {
  await runContainer(quitter, [], ['sh', '-c', 'echo first line; echo second line >&2; exit 3']);
  await waitFor(async () => (await docker(['inspect', '-f', '{{.State.Status}}', quitter])) === 'exited', {
    what: 'exited',
  });
  const page = await open(`/containers/${quitter}`);
  t.teardown(() => page.close());
  const end = page.locator('[data-testid="log-end"]');
  await end.waitFor({ timeout: 15_000 });
  t.regex((await end.textContent()) ?? '', /container stopped \(exit code 3\)/);
  // the old page reopened the stream every few seconds and appended the tail again: watch 30 s of it
  await new Promise((r) => setTimeout(r, 30_000));
  const lines = await page.locator('.logs .line:not(.end)').allTextContents();
  t.is(lines.length, 2, lines.join('\n'));
  // the engine reads stdout and stderr from two pipes, so their order between the streams is its own
  t.is(lines.filter((l) => /first line/.test(l)).length, 1, lines.join('\n'));
  t.is(lines.filter((l) => /second line/.test(l)).length, 1, lines.join('\n'));
  t.is(await page.locator('.logs .line.stderr').count(), 1, 'stderr told apart');
  t.regex((await page.locator('.logs .line.stderr').textContent()) ?? '', /second line/);
  const detail = (await (await vigil.get(`/api/v1/containers/${quitter}/health`)).json()) as { state: unknown };
  t.log('the state vigil serves:', JSON.stringify(detail.state));
  t.regex((await page.getByTestId('state').textContent()) ?? '', /exited \d+ s ago \(exit 3\)/);
  // search within what is loaded
  await page.getByLabel('Search').fill('second');
  await waitFor(async () => (await page.locator('.logs .line:not(.end)').count()) === 1, { what: 'filtered' });
});

test.serial('Restart from the page restarts the container, and its history says the page asked', async (t) => {
  const guarded = await startVigil({ VIGIL_API_TOKEN: 'page-operator-token-0123' });
  t.teardown(() => guarded.stop());
  await waitFor(async () => (await readiness(guarded.url)) === 'ok', { what: 'ready' });
  const startedBefore = await docker(['inspect', '-f', '{{.State.StartedAt}}', busy]);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  t.teardown(() => page.close());
  await page.goto(`${guarded.url}/containers/${busy}`);
  await page.getByLabel('API token').fill('page-operator-token-0123');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: busy }).waitFor();
  const asked: string[] = [];
  page.on('dialog', (d) => (asked.push(d.message()), void d.accept()));
  await page.getByRole('button', { name: 'Restart' }).click();
  await page.getByRole('status').filter({ hasText: 'restart: done' }).waitFor({ timeout: 30_000 });
  t.regex(asked[0] ?? '', new RegExp(`Restart ${busy}\\?`), 'asked first');
  t.not(await docker(['inspect', '-f', '{{.State.StartedAt}}', busy]), startedBefore, 'restarted');
  const history = (await (
    await guarded.get(`/api/v1/history/${busy}`, {
      headers: { authorization: 'Bearer page-operator-token-0123' },
    })
  ).json()) as { actions: { action: string; by?: string }[] };
  t.like(history.actions.at(-1), { action: 'restart', by: 'page' });
  await page
    .getByTestId('history')
    .getByText(/restart success · asked by page/)
    .waitFor({ timeout: 15_000 });
});

test.serial(
  'a CPU threshold set on the page changes when a spike is reported, and survives a restart of vigil',
  async (t) => {
    const page = await open(`/containers/${busy}`);
    t.teardown(() => page.close());
    const row = page.locator('tr[data-setting="cpu.warn"]');
    await row.waitFor();
    t.is(await row.locator('[data-source]').getAttribute('data-source'), 'label');
    const since = events.length;
    // a line far below what the burner uses: on a machine this shared (load 50 on 2 cores) its half core
    // came to 1.8 % of a core, under 4 % of its limit, and a line at 30 was never crossed
    const line = 0.5;
    await row.getByRole('spinbutton').fill(String(line));
    await row.getByRole('button', { name: 'Set' }).click();
    await waitFor(async () => (await row.locator('[data-source]').getAttribute('data-source')) === 'page', {
      what: 'set on the page',
    });
    const spike = await waitFor(
      () => events.slice(since).find((e) => e.type === 'resource.spike' && e.container?.name === busy),
      { what: 'the spike at the line set on the page', timeoutMs: 30_000 },
    );
    t.like(spike.data, { resource: 'cpu', warn: line });
    await vigil.stop();
    vigil = await start();
    const after = (await (await vigil.get(`/api/v1/settings/thresholds/${busy}`)).json()) as ContainerThresholdsAnswer;
    t.deepEqual(after.thresholds.cpu.warn, { value: line, source: 'page' });
    const again = await open(`/containers/${busy}`);
    t.teardown(() => again.close());
    const revert = again.locator('tr[data-setting="cpu.warn"]').getByRole('button', { name: 'Revert' });
    await revert.click();
    await waitFor(
      async () =>
        (await again.locator('tr[data-setting="cpu.warn"] [data-source]').getAttribute('data-source')) === 'label',
      { what: 'back to the label' },
    );
  },
);

test.serial('the live feed is filled after a reload; at 390 px the overview has no horizontal scroll', async (t) => {
  await waitFor(() => events.some((e) => e.type.startsWith('container.') || e.type.startsWith('recovery.')), {
    what: 'an event to show',
  });
  const page = await open('/');
  t.teardown(() => page.close());
  await page.locator('.feed li').first().waitFor({ timeout: 15_000 });
  await page.reload();
  await page.locator('.feed li').first().waitFor({ timeout: 15_000 });
  t.true((await page.locator('.feed li').count()) > 0);
  await page.locator(`tr[data-container="${busy}"]`).waitFor();
  // with no channel in the file, the alert configuration says where one is added instead of standing empty
  await page
    .getByRole('region', { name: 'Configure alerts' })
    .getByText(/No channel yet: add an email, webhook or Slack channel below/)
    .waitFor();
  await page.screenshot({ path: join(artifacts, 'page-overview-1280.png'), fullPage: true });
  const phone = await open('/', 390);
  t.teardown(() => phone.close());
  await phone.locator(`tr[data-container="${busy}"]`).waitFor();
  t.is(await horizontalScroll(phone), 0, 'no horizontal scroll on the overview at 390 px');
  await phone.screenshot({ path: join(artifacts, 'page-overview-390.png'), fullPage: true });
});

test.serial(
  "the detail shows vigil's probes and the probe labels it could not use beside the HEALTHCHECK",
  async (t) => {
    // an exec probe that passes, and a log probe whose window is no duration: vigil leaves that probe out
    await runContainer(
      probed,
      [
        '--label',
        'vigil.probe.exec=true',
        '--label',
        'vigil.probe.interval=1s',
        '--label',
        'vigil.probe.log=FATAL',
        '--label',
        'vigil.probe.log.window=soon',
      ],
      ['sleep', '100000'],
    );
    const page = await open(`/containers/${probed}`);
    t.teardown(() => page.close());
    const panel = page.getByTestId('health');
    await panel
      .getByTestId('probe')
      .getByText(/^exec `true`: healthy; last at [\d:]+: exit code 0/)
      .waitFor({
        timeout: 30_000,
      });
    t.regex(
      (await panel.getByTestId('probe-error').textContent()) ?? '',
      /vigil\.probe\.log\.window: "soon" is not a duration/,
    );
    t.regex((await panel.locator('h2').textContent()) ?? '', /health from vigil's probes/);
    t.regex((await panel.textContent()) ?? '', /No HEALTHCHECK in the image/);
  },
);

test.serial(
  'a webhook channel added on the page gets its test, never shows its secrets, survives a restart and is removed',
  async (t) => {
    // the far side: a loopback receiver that keeps what it is sent
    const received: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    t.teardown(() => new Promise<void>((r) => receiver.close(() => r())));
    const port = (receiver.address() as AddressInfo).port;
    const urlToken = 'Hk7QzP2mW9xLr4Tb';
    const signingSecret = 'page-signing-secret-42';
    const secrets = [urlToken, signingSecret];

    const page = await open('/');
    t.teardown(() => page.close());
    const form = page.getByRole('form', { name: 'Add a channel' });
    await form.getByLabel('Name').fill('page-hook');
    await form.getByLabel('URL').fill(`http://127.0.0.1:${port}/hooks/${urlToken}`);
    await form.getByLabel('Signing secret').fill(signingSecret);
    await form.getByLabel('Minimum severity').selectOption('warning');
    await page.screenshot({ path: join(artifacts, 'page-channel-form-filled-1280.png'), fullPage: true });
    await form.getByRole('button', { name: 'Add channel' }).click();
    await form.getByTestId('add-channel-result').getByText('page-hook added').waitFor();
    const row = page.locator('li[data-channel-settings="page-hook"]');
    await row.waitFor();
    t.is(await row.locator('[data-channel-source]').getAttribute('data-channel-source'), 'page');
    t.deepEqual(await row.locator('[data-secret]').allTextContents(), ['url ••••', 'secret ••••']);
    t.is(await form.getByLabel('Signing secret').inputValue(), '', 'the secret leaves the form once added');

    await row.getByRole('button', { name: 'Send test' }).click();
    await row
      .getByRole('status')
      .getByText(/delivered in \d+ ms/)
      .waitFor({ timeout: 15_000 });
    // other test files' containers share the engine, and their news (a spike of spikes.test.ts' burner)
    // reaches this channel too: the test messages are told by their title
    const testMessages = () =>
      received.filter(
        (r) => (JSON.parse(r.body) as { title?: string }).title === 'Test message from vigil to page-hook',
      );
    t.is(testMessages().length, 1, 'one test message');
    const test1 = testMessages()[0]!;
    t.is(test1.url, `/hooks/${urlToken}`);
    t.like(JSON.parse(test1.body), { source: 'vigil' });
    t.true(verifySignature(String(test1.headers['x-vigil-signature']), test1.body, signingSecret, Date.now() / 1000));

    const shownEverywhere = async () => {
      const answers = await Promise.all(
        ['/api/v1/settings', '/api/v1/channels', '/api/v1/system'].map(async (p) => (await vigil.get(p)).text()),
      );
      return [...answers, await page.content()].join('\n');
    };
    const shown = await shownEverywhere();
    for (const secret of secrets) t.false(shown.includes(secret), `${secret} is in an answer or the page`);
    await page
      .getByRole('region', { name: 'Configure alerts' })
      .screenshot({ path: join(artifacts, 'page-channel-form-1280.png') });
    const phone = await open('/', 390);
    t.teardown(() => phone.close());
    const phoneForm = phone.getByRole('region', { name: 'Configure alerts' });
    await phoneForm.locator('li[data-channel-settings="page-hook"]').waitFor();
    t.is(await horizontalScroll(phone), 0, 'no horizontal scroll with the channel form at 390 px');
    await phoneForm.screenshot({ path: join(artifacts, 'page-channel-form-390.png') });

    // kept with its secret across a restart: the test after it is signed with the same key
    await vigil.stop();
    vigil = await start();
    const after = (await (await vigil.get('/api/v1/settings')).json()) as SettingsAnswer;
    t.like(
      after.channels.find((c) => c.name === 'page-hook'),
      { addedBy: 'page', minSeverity: { value: 'warning', source: 'page' }, secrets: ['url', 'secret'] },
    );
    const again = await open('/');
    t.teardown(() => again.close());
    const rowAgain = again.locator('li[data-channel-settings="page-hook"]');
    await rowAgain.getByRole('button', { name: 'Send test' }).click();
    await rowAgain
      .getByRole('status')
      .getByText(/delivered in \d+ ms/)
      .waitFor({ timeout: 15_000 });
    t.is(testMessages().length, 2, 'the second test message');
    const test2 = testMessages()[1]!;
    t.true(verifySignature(String(test2.headers['x-vigil-signature']), test2.body, signingSecret, Date.now() / 1000));
    // whatever else reached it was signed with the same key and sent to the same secret URL
    for (const r of received) {
      t.is(r.url, `/hooks/${urlToken}`);
      t.true(verifySignature(String(r.headers['x-vigil-signature']), r.body, signingSecret, Date.now() / 1000));
    }
    for (const secret of secrets) t.false((await shownEverywhere()).includes(secret), `${secret} after the restart`);

    const asked: string[] = [];
    again.on('dialog', (d) => (asked.push(d.message()), void d.accept()));
    await rowAgain.getByRole('button', { name: 'Remove' }).click();
    await rowAgain.waitFor({ state: 'detached' });
    t.deepEqual(asked, ['Remove the channel page-hook?']);
    const gone = (await (await vigil.get('/api/v1/settings')).json()) as SettingsAnswer;
    t.false(gone.channels.some((c) => c.name === 'page-hook'));
    const channels = (await (await vigil.get('/api/v1/channels')).json()) as { channels: { name: string }[] };
    t.false(
      channels.channels.some((c) => c.name === 'page-hook'),
      'the dispatcher has it no more',
    );
    t.is((await vigil.get('/api/v1/channels/page-hook/test', { method: 'POST' })).status, 404);
  },
);
