import test from 'ava';
import { channelSchema } from '../../src/notify/channel-config.js';
import { clearedDraft, emptyDraft, newChannelOf } from '../../web/src/channel-draft.js';

/** The body as it goes over the wire: JSON leaves out what is undefined. */
const stripped = (body: object): Record<string, unknown> => JSON.parse(JSON.stringify(body)) as Record<string, unknown>;

test("the form's webhook, Slack and email drafts are channels the server's schema takes", (t) => {
  const hook = newChannelOf({ ...emptyDraft, name: ' ops ', url: 'http://127.0.0.1:9/h', secret: 'signing-key-1' });
  t.deepEqual(hook, {
    name: 'ops',
    minSeverity: 'info',
    type: 'webhook',
    url: 'http://127.0.0.1:9/h',
    secret: 'signing-key-1',
  });
  t.true(channelSchema.safeParse(hook).success);
  t.false(
    'secret' in stripped(newChannelOf({ ...emptyDraft, name: 'x', url: 'http://h/' })),
    'an empty secret is left out',
  );
  const slack = newChannelOf({ ...emptyDraft, type: 'slack', name: 's', secret: 'xoxb-1234567', channel: 'ops' });
  t.true(channelSchema.safeParse(slack).success, JSON.stringify(slack));
  const mail = newChannelOf({
    ...emptyDraft,
    type: 'email',
    name: 'm',
    smtpHost: 'mail',
    smtpPort: '2525',
    from: 'vigil@example.com',
    to: 'a@example.com, b@example.com',
  });
  t.like(mail, { smtp: { host: 'mail', port: 2525 }, to: ['a@example.com', 'b@example.com'] });
  t.true(channelSchema.safeParse(mail).success, JSON.stringify(mail));
  const badPort = channelSchema.safeParse(
    newChannelOf({
      ...emptyDraft,
      type: 'email',
      name: 'm',
      smtpHost: 'h',
      smtpPort: 'x',
      from: 'v@e.com',
      to: 'a@e.com',
    }),
  );
  t.deepEqual(
    badPort.success ? [] : badPort.error.issues.map((i) => i.path.join('.')),
    ['smtp.port'],
    'the server names the field',
  );
});

test('after an add the draft keeps its kind and severity and drops every value', (t) => {
  const after = clearedDraft({
    ...emptyDraft,
    type: 'slack',
    minSeverity: 'critical',
    name: 'n',
    secret: 'xoxb-1234567',
  });
  t.deepEqual(after, { ...emptyDraft, type: 'slack', minSeverity: 'critical' });
});
