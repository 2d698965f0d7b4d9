import test from 'ava';
import WebSocket from 'ws';
import { docker, removeContainers, runContainer, uniqueName, waitFor } from '../helpers/engine.js';
import { readiness, startVigil } from '../helpers/vigil.js';

interface Message {
  type: string;
  data: Record<string, unknown>;
  timestamp: string;
}

async function connect(url: string) {
  const socket = new WebSocket(url.replace(/^http/, 'ws') + '/api/v1/ws');
  const messages: Message[] = [];
  socket.on('message', (data) => messages.push(JSON.parse((data as Buffer).toString('utf8')) as Message));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, messages, send: (m: unknown) => socket.send(JSON.stringify(m)) };
}

test('logs over the WebSocket: every line of a TTY and a non-TTY container, stdout and stderr apart, through the pump; unsubscribing or closing ends the engine stream', async (t) => {
  const plain = uniqueName('ws-logs');
  const tty = uniqueName('ws-logs-tty');
  await runContainer(plain, [], ['sh', '-c', 'echo out-line; sleep 0.2; echo err-line >&2; sleep 100000']);
  await runContainer(tty, ['-t'], ['sh', '-c', 'echo tty-line; sleep 100000']);
  t.teardown(() => removeContainers([plain, tty]));
  const v = await startVigil();
  t.teardown(() => v.stop());
  await waitFor(async () => (await readiness(v.url)) === 'ok', { what: 'ready' });

  const client = await connect(v.url);
  t.teardown(() => client.socket.close());
  client.send({ type: 'subscribe', topics: ['logs'], containers: [plain, tty], tail: 10 });
  const lines = () => client.messages.filter((m) => m.type === 'log');
  await waitFor(() => lines().length >= 3, { what: 'three log lines', timeoutMs: 15_000 });
  const of = (container: string) => lines().filter((m) => m.data.container === container);
  for (const m of lines()) {
    t.deepEqual(Object.keys(m).sort(), ['data', 'timestamp', 'type']);
    t.deepEqual(Object.keys(m.data).sort(), ['container', 'message', 'stream', 'timestamp']);
    t.false(Number.isNaN(Date.parse(m.data.timestamp as string)));
  }
  t.deepEqual(
    of(plain).map((m) => [m.data.stream, m.data.message]),
    [
      ['stdout', 'out-line'],
      ['stderr', 'err-line'],
    ],
  );
  t.deepEqual(
    of(tty).map((m) => [m.data.stream, m.data.message]),
    [['stdout', 'tty-line']],
  );

  const plainId = (await docker(['inspect', '-f', '{{.Id}}', plain])).trim();
  const ttyId = (await docker(['inspect', '-f', '{{.Id}}', tty])).trim();
  t.is(v.vigil.logPump.streams(plainId), 1, 'one engine stream per followed container');
  // a line written now arrives live
  await docker(['exec', plain, 'sh', '-c', 'echo live-line > /proc/1/fd/1']);
  await waitFor(() => of(plain).some((m) => m.data.message === 'live-line'), { what: 'the live line' });

  client.send({ type: 'unsubscribe', topics: ['logs'], containers: [plain] });
  await waitFor(() => v.vigil.logPump.streams(plainId) === 0, { what: 'the engine stream closed on unsubscribe' });
  t.is(v.vigil.logPump.streams(ttyId), 1, 'the other container still followed');
  client.socket.close();
  await waitFor(() => v.vigil.logPump.streams(ttyId) === 0, { what: 'the engine stream closed with the socket' });
});

test('a WebSocket log reader that stops reading is cut from the log with a reason, and the engine stream closes', async (t) => {
  const loud = uniqueName('ws-logs-loud');
  const line = 'x'.repeat(200);
  await runContainer(loud, [], ['sh', '-c', `while true; do echo ${line}; done`]);
  t.teardown(() => removeContainers([loud]));
  const v = await startVigil({ VIGIL_STREAMS_MEMORY_MB: '1' });
  t.teardown(() => v.stop());
  await waitFor(async () => (await readiness(v.url)) === 'ok', { what: 'ready' });
  const id = (await docker(['inspect', '-f', '{{.Id}}', loud])).trim();
  const client = await connect(v.url);
  t.teardown(() => client.socket.terminate());
  client.send({ type: 'subscribe', topics: ['logs'], containers: [loud] });
  await waitFor(() => client.messages.some((m) => m.type === 'log'), { what: 'the first lines' });
  // the reader stops reading: the kernel's buffers fill, then vigil's
  const raw = (client.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  raw.pause();
  await waitFor(() => v.vigil.logPump.streams(id) === 0, {
    what: 'the slow reader cut and the engine stream closed',
    timeoutMs: 60_000,
  });
  raw.resume();
  const end = await waitFor(() => client.messages.find((m) => m.type === 'log:end'), {
    what: 'the reason',
    timeoutMs: 30_000,
  });
  t.is(end.data.container, loud);
  t.regex(String(end.data.reason), /^too slow/);
});

test('a WebSocket log reader that stops answering pings is told why its log ended before its socket closes with 1013', async (t) => {
  const quiet = uniqueName('ws-logs-quiet');
  // one line and then nothing: no buffer fills, so only the heartbeat can find the reader gone
  await runContainer(quiet, [], ['sh', '-c', 'echo only-line; sleep 100000']);
  t.teardown(() => removeContainers([quiet]));
  const v = await startVigil({ VIGIL_SSE_HEARTBEAT_SECONDS: '0.5' });
  t.teardown(() => v.stop());
  await waitFor(async () => (await readiness(v.url)) === 'ok', { what: 'ready' });
  const id = (await docker(['inspect', '-f', '{{.Id}}', quiet])).trim();
  const client = await connect(v.url);
  t.teardown(() => client.socket.terminate());
  const closed = new Promise<number>((resolve) => client.socket.once('close', (code) => resolve(code)));
  client.send({ type: 'subscribe', topics: ['logs'], containers: [quiet], tail: 1 });
  await waitFor(() => client.messages.some((m) => m.type === 'log'), { what: 'the line' });
  const raw = (client.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  raw.pause();
  await waitFor(() => v.vigil.logPump.streams(id) === 0, { what: 'the silent reader dropped and the stream closed' });
  raw.resume();
  const end = await waitFor(() => client.messages.find((m) => m.type === 'log:end'), { what: 'the reason' });
  t.is(end.data.container, quiet);
  t.regex(String(end.data.reason), /^too slow: this client did not answer a ping/);
  t.is(await closed, 1013);
});
