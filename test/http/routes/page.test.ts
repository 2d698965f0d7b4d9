import { Router } from '@koa/router';
import test from 'ava';
import fc from 'fast-check';
import Koa from 'koa';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pageRoutes } from '../../../src/http/routes/page.js';
import { fileTempDirs } from '../../helpers/temp-dir.js';

// the file's temp dirs, removed after its last test
const temp = fileTempDirs(test);

async function serve(dir: string) {
  const app = new Koa();
  const router = new Router();
  pageRoutes(router, dir);
  app.use(router.routes());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

const built = temp('web');
writeFileSync(join(built, 'index.html'), '<!doctype html><title>vigil</title>');
writeFileSync(join(built, 'app.js'), 'console.log(1)');
writeFileSync(join(built, 'app.js.gz'), gzipSync('console.log(1)'));
writeFileSync(join(built, 'secret.txt'), 'not an asset');

test('the document is served at / and /containers/:name; assets gzipped when taken, revalidated by ETag', async (t) => {
  const s = await serve(built);
  t.teardown(s.close);
  for (const path of ['/', '/containers/web']) {
    const res = await fetch(`${s.base}${path}`);
    t.is(res.status, 200);
    t.regex(res.headers.get('content-type') ?? '', /text\/html/);
    t.regex(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  }
  const js = await fetch(`${s.base}/assets/app.js`, { headers: { 'accept-encoding': 'gzip' } });
  t.is(js.headers.get('content-encoding'), 'gzip');
  t.is(await js.text(), 'console.log(1)');
  const again = await fetch(`${s.base}/assets/app.js`, { headers: { 'if-none-match': js.headers.get('etag')! } });
  t.is(again.status, 304);
  t.is((await fetch(`${s.base}/assets/secret.txt`)).status, 404, 'only page assets, not whatever is in the directory');
});

test('no page built: / says how to build it (503)', async (t) => {
  const s = await serve(join(built, 'missing'));
  t.teardown(s.close);
  const res = await fetch(`${s.base}/`);
  t.is(res.status, 503);
  t.regex(await res.text(), /npm run build/);
});

test('property: any asset path is a known asset or a 404, never a file outside the set and never a 5xx', async (t) => {
  const s = await serve(built);
  t.teardown(s.close);
  const segment = fc.oneof(
    fc.constantFrom('app.js', 'index.html', '..', '%2e%2e', '..%2fsecret.txt', 'secret.txt', '%00', 'app.js%00'),
    fc.string({ maxLength: 30 }).map(encodeURIComponent),
  );
  const paths = fc.sample(fc.tuple(segment, fc.option(segment)), { numRuns: 300, seed: 21 });
  for (const [a, b] of paths) {
    const res = await fetch(`${s.base}/assets/${a}${b === null ? '' : `/${b}`}`);
    const body = await res.text();
    t.true(res.status === 200 || res.status === 404 || res.status === 400, `${a}/${b}: ${res.status}`);
    t.false(body.includes('not an asset'), `${a}/${b} served a file outside the page`);
  }
});
