import test from 'ava';
import fc from 'fast-check';
import {
  changesState,
  contentTypeRefusal,
  hostAllowed,
  hostName,
  hostPolicy,
  originRefusal,
  requestRefusal,
} from '../../src/http/request-guard.js';

const loopback = hostPolicy({ apiToken: undefined, allowedHosts: [], listenHost: '127.0.0.1', ownNames: ['box'] });
const proxied = hostPolicy({
  apiToken: undefined,
  allowedHosts: ['Vigil.Example.com.'],
  listenHost: '127.0.0.1',
  ownNames: ['box'],
});
const tokenRemote = hostPolicy({
  apiToken: 'a-token-of-sixteen-chars',
  allowedHosts: [],
  listenHost: '0.0.0.0',
  ownNames: ['box'],
});
const tokenListed = hostPolicy({
  apiToken: 'a-token-of-sixteen-chars',
  allowedHosts: ['vigil'],
  listenHost: '0.0.0.0',
  ownNames: ['box'],
});
const anyName = hostPolicy({ apiToken: undefined, allowedHosts: ['*'], listenHost: '127.0.0.1', ownNames: [] });

test('the Host header: which names vigil answers under', (t) => {
  const table: [string | undefined, typeof loopback, boolean, string][] = [
    ['127.0.0.1:9323', loopback, true, 'the listen address'],
    ['localhost:9323', loopback, true, 'localhost'],
    ['LOCALHOST.:9323', loopback, true, 'case and a trailing dot'],
    ['[::1]:9323', loopback, true, 'IPv6 loopback'],
    ['box:9323', loopback, true, "the machine's name"],
    ['10.1.2.3:9323', loopback, true, 'any address: rebinding needs a name'],
    ['evil.example:9323', loopback, false, 'a foreign name'],
    ['evil', loopback, false, 'a foreign name without a port'],
    ['localhost.evil.example', loopback, false, 'a name that only begins like localhost'],
    ['127.0.0.1.evil.example', loopback, false, 'a name that only begins like an address'],
    ['a b', loopback, false, 'malformed'],
    ['user@127.0.0.1', loopback, false, 'malformed'],
    [undefined, loopback, true, 'no Host: not a browser'],
    ['vigil.example.com', proxied, true, 'VIGIL_ALLOWED_HOSTS'],
    ['vigil.example.com:443', proxied, true, 'VIGIL_ALLOWED_HOSTS with a port'],
    ['other.example.com', proxied, false, 'a name not listed'],
    ['node7.example.net:9323', tokenRemote, true, 'with a token and no list: any name (the token guards the API)'],
    ['evil:9323', tokenListed, false, 'with a token and a list: the list is enforced'],
    ['vigil:9323', tokenListed, true, 'with a token and a list: a listed name'],
    ['10.0.0.11:9323', tokenListed, true, 'with a token and a list: an address'],
    ['anything.at.all', anyName, true, '* accepts any name'],
  ];
  for (const [host, policy, allowed, why] of table) t.is(hostAllowed(host, policy), allowed, `${host}: ${why}`);
});

test('hostName reads names, IPv6 literals and ports', (t) => {
  t.is(hostName('Example.COM:80'), 'example.com');
  t.is(hostName('[::1]:9323'), '[::1]');
  t.is(hostName('box'), 'box');
  t.is(hostName('a:b:c'), null);
  t.is(hostName(''), null);
});

test('a foreign Host is refused with 421 naming the host and VIGIL_ALLOWED_HOSTS, for every method', (t) => {
  for (const method of ['GET', 'POST', 'DELETE']) {
    const refusal = requestRefusal(method, { host: 'evil.example:9323' }, loopback);
    t.is(refusal?.status, 421);
    t.regex(refusal!.message, /evil\.example:9323/);
    t.regex(refusal!.message, /VIGIL_ALLOWED_HOSTS/);
  }
});

test('only GET, HEAD and OPTIONS change nothing', (t) => {
  for (const m of ['GET', 'HEAD', 'OPTIONS', 'get']) t.false(changesState(m), m);
  for (const m of ['POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND', 'post']) t.true(changesState(m), m);
});

test("the Origin of a change: vigil's own page or a listed proxy's name, nothing else", (t) => {
  const host = '127.0.0.1:9323';
  const table: [Record<string, string>, typeof loopback, number | null, string][] = [
    [{ origin: 'http://127.0.0.1:9323' }, loopback, null, 'its own page'],
    [{ origin: 'http://127.0.0.1:9323', 'sec-fetch-site': 'same-origin' }, loopback, null, 'same-origin fetch'],
    [{ origin: 'http://evil.example' }, loopback, 403, 'another site'],
    [{ origin: 'http://127.0.0.1:8080' }, loopback, 403, 'another port on the same address'],
    [{ origin: 'http://localhost:9323' }, loopback, 403, 'another name than the Host'],
    [{ origin: 'null' }, loopback, 403, 'an opaque origin (sandboxed frame, file:)'],
    [{ origin: 'chrome-extension://abc' }, loopback, 403, 'not a web page'],
    [{ 'sec-fetch-site': 'cross-site' }, loopback, 403, 'no Origin, but another site sent it'],
    [{ 'sec-fetch-site': 'same-site' }, loopback, 403, 'no Origin, a sibling site sent it'],
    [{ 'sec-fetch-site': 'same-origin' }, loopback, null, 'no Origin, its own page'],
    [{ 'sec-fetch-site': 'none' }, loopback, null, 'typed into the address bar'],
    [{}, loopback, null, 'not a browser: curl, Alertmanager, scripts'],
    [{ origin: 'https://vigil.example.com' }, proxied, null, 'the proxy’s name (the proxy rewrote Host)'],
    [{ origin: 'https://evil.example.com' }, proxied, 403, 'a name the proxy list does not have'],
    [{ origin: 'http://evil' }, anyName, 403, '* is about Host, not about other sites'],
  ];
  for (const [headers, policy, status, why] of table)
    t.is(originRefusal({ host, ...headers }, policy)?.status ?? null, status, why);
});

test('a change with a body must say it is JSON (415 naming what it said); one without a body need not', (t) => {
  const table: [Record<string, string>, number | null][] = [
    [{ 'content-type': 'application/json', 'content-length': '2' }, null],
    [{ 'content-type': 'application/json; charset=utf-8', 'content-length': '2' }, null],
    [{ 'content-type': 'application/merge-patch+json', 'content-length': '2' }, null],
    [{ 'content-type': 'text/plain', 'content-length': '2' }, 415],
    [{ 'content-type': 'application/x-www-form-urlencoded', 'content-length': '5' }, 415],
    [{ 'content-type': 'multipart/form-data; boundary=x', 'transfer-encoding': 'chunked' }, 415],
    [{ 'content-type': 'application/jsonx', 'content-length': '2' }, 415],
    [{ 'content-length': '2' }, 415],
    [{ 'content-length': '0', 'content-type': 'text/plain' }, null],
    [{}, null],
  ];
  for (const [headers, status] of table)
    t.is(contentTypeRefusal(headers)?.status ?? null, status, JSON.stringify(headers));
  t.regex(
    contentTypeRefusal({ 'content-type': 'text/plain', 'content-length': '1' })!.message,
    /application\/json.*text\/plain/,
  );
});

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
const foreignName = fc
  .tuple(label, fc.constantFrom('example', 'evil', 'attacker.net', 'rebind.it'))
  .map(([a, b]) => `${a}.${b}`);
const port = fc.integer({ min: 1, max: 65535 });
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));

test('property: any foreign name is refused without a token, any address is accepted', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(foreignName, port, (name, p) => hostRefusal421(`${name}:${p}`) && !hostAllowed(`${name}`, loopback)),
    ),
  );
  t.notThrows(() => fc.assert(fc.property(ipv4, port, (ip, p) => hostAllowed(`${ip}:${p}`, loopback))));
  t.notThrows(() => fc.assert(fc.property(fc.ipV6(), port, (ip, p) => hostAllowed(`[${ip}]:${p}`, loopback))));
});

const hostRefusal421 = (host: string) => requestRefusal('GET', { host }, loopback)?.status === 421;

test('property: a change from any page of another origin is refused, from its own page never', (t) => {
  const method = fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE');
  t.notThrows(() =>
    fc.assert(
      fc.property(method, foreignName, port, fc.constantFrom('http', 'https'), (m, name, p, scheme) => {
        const headers = {
          host: '127.0.0.1:9323',
          origin: `${scheme}://${name}:${p}`,
          'content-type': 'application/json',
        };
        return requestRefusal(m, headers, loopback)?.status === 403;
      }),
    ),
  );
  t.notThrows(() =>
    fc.assert(
      fc.property(method, ipv4, port, (m, ip, p) => {
        const host = `${ip}:${p}`;
        const headers = { host, origin: `http://${host}`, 'content-type': 'application/json', 'content-length': '2' };
        return requestRefusal(m, headers, loopback) === null;
      }),
    ),
  );
});

test('property: reads are never refused for their Origin or content type', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(
        fc.constantFrom('GET', 'HEAD', 'OPTIONS'),
        fc.option(fc.string(), { nil: undefined }),
        fc.option(fc.string(), { nil: undefined }),
        fc.option(fc.constantFrom('cross-site', 'same-site', 'none'), { nil: undefined }),
        (m, origin, type, site) => {
          const headers = { host: 'localhost:9323', origin, 'content-type': type, 'sec-fetch-site': site };
          return requestRefusal(m, headers, loopback) === null;
        },
      ),
    ),
  );
});

test('property: any non-JSON type on a body is refused with 415, whatever else the request says', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }).filter((s) => !/^application\/([\w.-]+\+)?json\s*(;|$)/i.test(s.trim())),
        fc.integer({ min: 1, max: 1e9 }),
        (type, length) =>
          requestRefusal(
            'POST',
            { host: '127.0.0.1:9323', 'content-type': type, 'content-length': String(length) },
            loopback,
          )?.status === 415,
      ),
    ),
  );
});
