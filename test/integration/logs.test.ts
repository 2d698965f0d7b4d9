import test from 'ava';
import { docker, removeContainers, runContainer, uniqueName, waitFor } from '../helpers/engine.js';
import { openSseClient, type SseMessage } from '../helpers/sse.js';
import { startVigil, type RunningVigil } from '../helpers/vigil.js';

const created: string[] = [];
let vigil: RunningVigil;

test.before(async () => {
  vigil = await startVigil();
  await waitFor(() => vigil.vigil.inventory.synced, { what: 'the first sync' });
});

test.after.always(async () => {
  await vigil?.stop();
  await removeContainers(created);
});

async function container(prefix: string, options: string[], command: string[]): Promise<string> {
  const name = uniqueName(prefix);
  created.push(name);
  await runContainer(name, options, command);
  await waitFor(() => vigil.vigil.inventory.all().some((e) => e.record.name === name), {
    what: `${name} in the inventory`,
  });
  return name;
}

const logLines = (messages: SseMessage[]) =>
  messages
    .filter((m) => m.event === 'log')
    .map((m) => JSON.parse(m.data) as { timestamp: string; stream: string; message: string });

test('tail=N gives exactly the last N lines, follow=false ends after them', async (t) => {
  const name = await container('tail', [], ['sh', '-c', 'seq 1 50; exec sleep 100000']);
  await waitFor(async () => (await docker(['logs', name])).endsWith('50'), { what: 'the output' });
  const client = await openSseClient(`${vigil.url}/api/v1/containers/${name}/logs?tail=10&follow=false`);
  t.is(client.status, 200);
  t.regex(client.headers['content-type'] ?? '', /text\/event-stream/);
  const messages = await client.rest();
  t.deepEqual(
    logLines(messages).map((l) => l.message),
    ['41', '42', '43', '44', '45', '46', '47', '48', '49', '50'],
  );
  t.deepEqual(JSON.parse(messages.at(-1)!.data), { reason: 'complete' });
  for (const line of logLines(messages)) {
    t.deepEqual(Object.keys(line).sort(), ['message', 'stream', 'timestamp']);
    t.false(Number.isNaN(Date.parse(line.timestamp)));
  }
});

test('stdout and stderr are told apart', async (t) => {
  const name = await container('streams', [], ['sh', '-c', 'echo to-out; echo to-err >&2; exec sleep 100000']);
  await waitFor(async () => await docker(['logs', name]).then(() => true), { what: 'the container' });
  await new Promise((r) => setTimeout(r, 500));
  const lines = logLines(await (await openSseClient(`${vigil.url}/api/v1/containers/${name}/logs?tail=all`)).rest());
  t.deepEqual(lines.map((l) => [l.stream, l.message]).sort(), [
    ['stderr', 'to-err'],
    ['stdout', 'to-out'],
  ]);
});

test('a TTY container streams its lines without terminal line ends', async (t) => {
  const name = await container('tty', ['-t'], ['sh', '-c', 'echo tty-one; echo tty-two; exec sleep 100000']);
  await new Promise((r) => setTimeout(r, 700));
  const lines = logLines(await (await openSseClient(`${vigil.url}/api/v1/containers/${name}/logs?tail=all`)).rest());
  t.deepEqual(
    lines.map((l) => l.message),
    ['tty-one', 'tty-two'],
  );
  t.true(lines.every((l) => l.stream === 'stdout'));
});

test('follow streams new lines as they come, and says why when the container stops', async (t) => {
  const name = await container(
    'follow',
    [],
    ['sh', '-c', 'i=0; while [ $i -lt 1000 ]; do i=$((i+1)); echo tick-$i; sleep 0.2; done'],
  );
  const client = await openSseClient(`${vigil.url}/api/v1/containers/${name}/logs?tail=0&follow=true`);
  const first = JSON.parse((await client.next()).data) as { message: string };
  const second = JSON.parse((await client.next()).data) as { message: string };
  t.regex(first.message, /^tick-\d+$/);
  t.is(Number(second.message.slice(5)), Number(first.message.slice(5)) + 1, 'new lines, in order');
  await docker(['stop', '-t', '0', name]);
  const rest = await client.rest();
  const end = rest.find((m) => m.event === 'end');
  t.truthy(end);
  t.like(JSON.parse(end!.data), { reason: 'container stopped', state: 'exited' });
});

test('a single 1 MB line arrives whole, in 64 KiB pieces marked split', async (t) => {
  const name = await container(
    'big',
    [],
    ['sh', '-c', 'head -c 1048576 /dev/zero | tr "\\0" a; echo; echo after; exec sleep 100000'],
  );
  await waitFor(async () => (await docker(['logs', '--tail', '1', name])).trim() === 'after', { what: 'the output' });
  const lines = logLines(
    await (await openSseClient(`${vigil.url}/api/v1/containers/${name}/logs?tail=all`)).rest(),
  ) as { message: string; split?: boolean }[];
  t.is(lines.length, 17);
  t.true(lines.slice(0, 15).every((l) => l.split === true && l.message.length === 65536));
  const whole = lines
    .slice(0, 16)
    .map((l) => l.message)
    .join('');
  t.is(whole.length, 1048576);
  t.true(/^a+$/.test(whole));
  t.is(lines[15]!.split, undefined, 'the last piece ends the line');
  t.is(lines[16]!.message, 'after');
});

test('10,000 lines written in a burst all arrive, in order', async (t) => {
  const name = await container('burst', [], ['sh', '-c', 'sleep 1; seq 1 10000; exec sleep 100000']);
  const client = await openSseClient(`${vigil.url}/api/v1/containers/${name}/logs?tail=all&follow=true`);
  const seen: number[] = [];
  while (seen.length < 10000) {
    const message = await client.next(20_000);
    if (message.event === 'log') seen.push(Number((JSON.parse(message.data) as { message: string }).message));
  }
  client.close();
  t.is(seen.length, 10000);
  t.true(
    seen.every((n, i) => n === i + 1),
    'every line, once, in order',
  );
});

test('bad queries are 400 and unknown containers 404, each with a message', async (t) => {
  const name = await container('badq', [], ['sleep', '100000']);
  for (const query of ['tail=-1', 'tail=abc', 'tail=99999999', 'follow=maybe', 'since=never']) {
    const res = await vigil.get(`/api/v1/containers/${name}/logs?${query}`);
    t.is(res.status, 400, query);
    t.truthy(((await res.json()) as { error: { message: string } }).error.message);
  }
  t.is((await vigil.get('/api/v1/containers/no-such-thing/logs')).status, 404);
  t.deepEqual(
    vigil.logs.filter((l) => l.level >= 50),
    [],
  );
});
