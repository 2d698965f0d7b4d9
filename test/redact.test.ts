import test from 'ava';
import fc from 'fast-check';
import { Writable } from 'node:stream';
import { createLogger, LogSecrets } from '../src/logger.js';
import { channelTarget } from '../src/notify/assemble.js';
import { channelSecrets, configSecrets, looksLikeToken, redactText, redactUrl, secretsOf } from '../src/redact.js';
import { secretUrlArb } from './helpers/secrets.js';

const table: [string, string][] = [
  [
    'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
    'https://hooks.slack.com/services/…',
  ],
  ['https://discord.com/api/webhooks/123456789012345678/abcDEF_ghi-JKLmno', 'https://discord.com/api/…'],
  [
    'https://contoso.webhook.office.com/webhookb2/3f1c2a7e-12@72f/IncomingWebhook/ab/cd',
    'https://contoso.webhook.office.com/webhookb2/…',
  ],
  [
    'https://prod-1.westeurope.logic.azure.com/workflows/abc/triggers?sig=S',
    'https://prod-1.westeurope.logic.azure.com/workflows/…?…',
  ],
  ['https://chat.example.org/hooks/xq8f3n7wbjg5mcd1u6ehr9kxyz', 'https://chat.example.org/hooks/…'],
  ['nats://user:pa55word@nats.local:4222', 'nats://…@nats.local:4222'],
  ['http://admin:secret@127.0.0.1:9093/', 'http://…@127.0.0.1:9093/'],
  ['https://grafana.example.org/d/vigil?orgId=1&auth=abc', 'https://grafana.example.org/d/vigil?…'],
  ['https://example.org/notify/a8F3kQ9zLm2Xv7Rt1Yp4', 'https://example.org/notify/…'],
  // names stay: what is not a secret is what tells an operator where vigil sends
  ['unix:///var/run/docker.sock', 'unix:///var/run/docker.sock'],
  ['tcp://127.0.0.1:2376', 'tcp://127.0.0.1:2376'],
  ['https://example.org/notifications-endpoint/v2/alerts', 'https://example.org/notifications-endpoint/v2/alerts'],
  ['http://127.0.0.1:9093', 'http://127.0.0.1:9093/'],
  ['not a url', '(an unparseable URL)'],
];

for (const [url, shown] of table) {
  test(`redactUrl: ${url} → ${shown}`, (t) => {
    t.is(redactUrl(url), shown);
  });
}

test('token-like segments: long, mixed and high in entropy; names are not', (t) => {
  for (const token of [
    '3f1c2a7e-1234-4567-89ab-0123456789ab',
    'a8F3kQ9zLm2Xv7Rt1Yp4',
    'ZGVhZGJlZWZkZWFkYmVlZg',
    // hex drawn mostly as digits: low in entropy (2.9 bits), a key all the same (fast-check found it logged)
    '96c5c76263629967e72437377332384323',
  ])
    t.true(looksLikeToken(token), token);
  for (const name of [
    'notifications-endpoint',
    'docker.sock',
    'IncomingWebhook',
    'v1',
    'alertmanager-webhook-receiver',
  ])
    t.false(looksLikeToken(name), name);
});

test('the configuration line of a Slack webhook channel shows the host, never the path', (t) => {
  const url = 'https://hooks.slack.com/services/T0AAAA111/B0BBBB222/cccccccccccccccccccccccc';
  t.deepEqual(channelTarget({ name: 'ops', type: 'slack', url, apiUrl: 'https://slack.com/api' } as never), {
    name: 'ops',
    type: 'slack',
    target: 'https://hooks.slack.com/services/…',
  });
});

test('property: redactUrl and redactText never show a secret, wherever in the URL it is', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(secretUrlArb(), ({ url, secrets, place }) => {
        const shown = [redactUrl(url), redactText(`POST ${url} failed: connect ECONNREFUSED (${url}).`)];
        const leaked = secrets.filter((s) => shown.some((text) => text.includes(s)));
        if (leaked.length > 0) throw new Error(`${place}: ${shown.join(' | ')} shows ${leaked.join(', ')}`);
        // what redactUrl hides is what secretsOf names, so that a message echoing a piece loses it too
        const echoed = redactText(`the far side said: ${secrets.join(' ')}`, secretsOf(url));
        return secrets.every((s) => !echoed.includes(s));
      }),
      { numRuns: 300 },
    ),
  );
});

test('property: no log line holds a secret: fields, messages, errors and nested objects', (t) => {
  fc.assert(
    fc.property(secretUrlArb(), secretUrlArb(), ({ url, secrets }, other) => {
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString('utf8'));
          done();
        },
      });
      const config = { channels: [{ url: other.url }], natsUrl: 'nats://127.0.0.1:4222' };
      const logger = createLogger('debug', { pretty: false, destination: sink, secrets: configSecrets(config) });
      logger.info({ url, channels: [{ target: url }] }, 'configuration');
      logger.warn(`delivery to ${url} failed`);
      logger.error({ err: new Error(`request to ${url} failed`) }, 'boom');
      logger.error(new Error(`POST ${url}: 500`));
      // a far side that echoes a configured secret without its URL: the configuration's secrets go too
      logger.warn({ err: `answered 500: unknown hook ${other.secrets.join('/')}` }, 'delivery failed');
      const all = lines.join('');
      t.true(lines.length >= 5);
      return [...secrets, ...other.secrets].every((s) => !all.includes(s));
    }),
    { numRuns: 150 },
  );
});

test('a channel added after the logger was made: its secrets are censored in every line from then on', (t) => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const secrets = new LogSecrets(['configured-Xq81mZ']);
  const logger = createLogger('info', { pretty: false, destination: sink, secrets });
  const said = 'far side said: hook Tq7LmZ2xW9rB unknown, key Hk29dLq04 refused, configured-Xq81mZ';
  logger.warn(said);
  t.true(lines[0]!.includes('Tq7LmZ2xW9rB'), 'not a secret the logger knows of yet');
  t.false(lines[0]!.includes('configured-Xq81mZ'));

  secrets.add(channelSecrets({ url: 'http://127.0.0.1:9/hooks/Tq7LmZ2xW9rB', headers: { 'x-key': 'Hk29dLq04' } }));
  logger.warn(said);
  logger.child({ component: 'notify' }).error({ err: new Error(said), answer: said }, said);
  for (const line of lines.slice(1)) {
    for (const secret of ['Tq7LmZ2xW9rB', 'Hk29dLq04', 'configured-Xq81mZ']) t.false(line.includes(secret), line);
  }
  t.is(lines.length, 3);
});
