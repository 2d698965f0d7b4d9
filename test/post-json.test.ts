import test from 'ava';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postJson, PostError } from '../src/post-json.js';

// A plain node:http server on loopback stands in for the other side: what a channel or Alertmanager answers.
async function serve(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void) {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

test('a string body is sent byte for byte as JSON, and the JSON answer comes back parsed', async (t) => {
  const seen: { body: string; type: string | undefined; extra: string | undefined }[] = [];
  const other = await serve((req, body, res) => {
    seen.push({ body, type: req.headers['content-type'], extra: req.headers['x-extra'] as string | undefined });
    res.setHeader('content-type', 'application/json');
    res.end('{"silenceID":"abc"}');
  });
  t.teardown(other.close);
  const body = '{"b":1,  "a":2}';
  t.deepEqual(await postJson(`${other.base}/x`, body, { headers: { 'x-extra': 'yes' } }), { silenceID: 'abc' });
  await postJson(`${other.base}/x`, { a: 1 });
  t.deepEqual(seen, [
    { body, type: 'application/json', extra: 'yes' },
    { body: '{"a":1}', type: 'application/json', extra: undefined },
  ]);
});

test('a redirect is not followed: it fails, and the body never reaches the place it points to', async (t) => {
  let reached = 0;
  const elsewhere = await serve((_req, _body, res) => {
    reached++;
    res.end('{}');
  });
  const other = await serve((_req, _body, res) => {
    res.writeHead(307, { location: `${elsewhere.base}/stolen` });
    res.end();
  });
  t.teardown(() => Promise.all([other.close(), elsewhere.close()]));
  const err = await t.throwsAsync(postJson(`${other.base}/hook`, { secret: 'signed' }), { instanceOf: PostError });
  t.is(err.status, 307);
  t.is(reached, 0);
});

test('a refusal names the target without its credentials, with the status and the start of the answer', async (t) => {
  const other = await serve((_req, _body, res) => {
    res.writeHead(500);
    res.end(`database on fire ${'x'.repeat(1000)}`);
  });
  t.teardown(other.close);
  const url = other.base.replace('http://', 'http://user:hunter2@') + '/hook?token=s3cret';
  const err = await t.throwsAsync(postJson(url, {}), { instanceOf: PostError });
  t.is(err.status, 500);
  t.regex(err.message, /answered 500: database on fire/);
  t.notRegex(err.message, /hunter2|s3cret/);
  t.true(err.message.length < 400, 'the answer is cut short');
});

test('an answer slower than the timeout fails as a timeout, with no status', async (t) => {
  const other = await serve((_req, _body, res) => {
    setTimeout(() => res.end('{}'), 2000);
  });
  t.teardown(other.close);
  const err = await t.throwsAsync(postJson(`${other.base}/slow`, {}, { timeoutMs: 200 }), { instanceOf: PostError });
  t.is(err.status, null);
  t.regex(err.message, /timeout/i);
});
