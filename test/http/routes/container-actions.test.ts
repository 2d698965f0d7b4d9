import { Router } from '@koa/router';
import test from 'ava';
import fc from 'fast-check';
import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { ContainersSource } from '../../../src/containers/source.js';
import { parseInspect, type InspectJson } from '../../../src/docker/parse/inspect.js';
import type { ContainerRecord } from '../../../src/docker/types.js';
import { requireAuth } from '../../../src/http/auth.js';
import { errorHandler } from '../../../src/http/errors.js';
import { containerActionRoutes } from '../../../src/http/routes/container-actions.js';
import { newSession, SESSION_COOKIE, CSRF_HEADER } from '../../../src/http/session.js';
import { fixtureJson } from '../../helpers/fixtures.js';

const token = 'actions-test-token-0123456789';
const record = parseInspect(fixtureJson<InspectJson>('engine/inspect-fx-exited.json'));
/** No session signed out: this test signs in with the bearer or a fresh cookie. */
const noRevocations = { revoked: () => false };
const calls: { name: string; action: string; by: string }[] = [];

async function serve(apiToken: string | undefined) {
  const app = new Koa();
  app.silent = true;
  app.use(errorHandler(pino({ level: 'silent' })));
  const router = new Router();
  router.use('/api/v1', requireAuth(apiToken, noRevocations));
  const source = {
    containers: () => [{ record, restarts: 0, oomKills: 0, observedAt: new Date() }],
    snapshot: () => undefined,
    context: () => ({}),
  } as unknown as ContainersSource;
  const actions = {
    act: async (r: ContainerRecord, action: 'stop' | 'start' | 'restart', by: 'api' | 'page') => {
      calls.push({ name: r.name, action, by });
      return { id: r.shortId, name: r.name, action, by, desired: action === 'stop' ? 'stopped' : 'running' } as const;
    },
  };
  containerActionRoutes(router, { containers: source, actions, apiToken, sessions: noRevocations });
  app.use(router.routes());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

test.serial(
  'stop, start and restart of a container; an exited one may be stopped; who asked is recorded',
  async (t) => {
    const s = await serve(token);
    t.teardown(s.close);
    calls.length = 0;
    const bearer = { authorization: `Bearer ${token}` };
    for (const action of ['stop', 'start', 'restart']) {
      const res = await fetch(`${s.base}/api/v1/containers/${record.name}/${action}`, {
        method: 'POST',
        headers: bearer,
      });
      t.is(res.status, 200, action);
      t.like(await res.json(), { name: record.name, action, by: 'api' });
    }
    const session = newSession(token, Date.now() / 1000);
    const page = await fetch(`${s.base}/api/v1/containers/${record.name}/stop`, {
      method: 'POST',
      headers: {
        cookie: `${SESSION_COOKIE}=${session.cookie}`,
        [CSRF_HEADER]: session.csrf,
        'content-type': 'application/json',
      },
      body: '{}',
    });
    t.is(page.status, 200);
    t.like(await page.json(), { by: 'page' });
    t.deepEqual(
      calls.map((c) => [c.action, c.by]),
      [
        ['stop', 'api'],
        ['start', 'api'],
        ['restart', 'api'],
        ['stop', 'page'],
      ],
    );
    const unknown = await fetch(`${s.base}/api/v1/containers/no-such-one/stop`, { method: 'POST', headers: bearer });
    t.is(unknown.status, 404);
    t.regex(((await unknown.json()) as { error: { message: string } }).error.message, /no-such-one/);
    const anonymous = await fetch(`${s.base}/api/v1/containers/${record.name}/stop`, { method: 'POST' });
    t.is(anonymous.status, 401, 'behind the API token');
  },
);

test.serial('property: any body is either taken (absent, or a JSON object) or a 4xx, never a 5xx', async (t) => {
  const s = await serve(undefined);
  t.teardown(s.close);
  await t.notThrowsAsync(async () =>
    fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(''), fc.json(), fc.string({ maxLength: 200 })),
        fc.constantFrom('application/json', 'text/plain'),
        async (body, type) => {
          const res = await fetch(`${s.base}/api/v1/containers/${record.name}/stop`, {
            method: 'POST',
            headers: { 'content-type': type },
            body,
          });
          await res.arrayBuffer();
          let parsed: unknown;
          try {
            parsed = body === '' ? undefined : JSON.parse(body);
          } catch {
            parsed = Symbol('not json');
          }
          const acceptable =
            body === '' ||
            (type === 'application/json' && typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed));
          return acceptable ? res.status === 200 : res.status >= 400 && res.status < 500;
        },
      ),
      { numRuns: 150 },
    ),
  );
});
