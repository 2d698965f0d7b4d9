import test from 'ava';
import fc from 'fast-check';
import { hostname } from 'node:os';
import { pino } from 'pino';
import { resolveHost, subjectToken } from '../src/host.js';
import type { EngineInfo } from '../src/docker/types.js';

const silent = pino({ level: 'silent' });
const engineNamed = (name: string) => ({
  info: () => Promise.resolve({ name } as EngineInfo),
});

test('a host name with dots is one subject token: the dots become underscores', (t) => {
  t.is(subjectToken('web-1.example.com'), 'web-1_example_com');
  t.is(subjectToken('host-b'), 'host-b');
});

test('property: any name becomes one token with no dot, space or wildcard', (t) => {
  fc.assert(
    fc.property(fc.string({ maxLength: 80 }), (name) => /^[A-Za-z0-9_-]+$/.test(subjectToken(name))),
    { seed: 13 },
  );
  t.is(subjectToken(''), '_');
});

test('VIGIL_HOST wins over the engine', async (t) => {
  t.is(await resolveHost('host-b', engineNamed('engine-name'), silent), 'host-b');
});

test("unset, the host is the engine's own name", async (t) => {
  t.is(await resolveHost(undefined, engineNamed('engine-name'), silent), 'engine-name');
});

test('an engine that does not answer in time leaves the machine hostname', async (t) => {
  const never = { info: () => new Promise<EngineInfo>(() => undefined) };
  t.is(await resolveHost(undefined, never, silent, 20), hostname());
  const failing = { info: () => Promise.reject(new Error('no engine')) };
  t.is(await resolveHost(undefined, failing, silent, 1000), hostname());
});
