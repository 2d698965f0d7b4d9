import { createHash } from 'node:crypto';
import fc from 'fast-check';

/**
 * Generated secrets as real ones look (pseudo-random base64url or hex of 16 to 32 bytes) and URLs
 * that carry them in each place a URL can: credentials, query, fragment, the path of a known webhook
 * host, a Mattermost /hooks/ path, a token-like path segment anywhere.
 */
export const secretArb: fc.Arbitrary<string> = fc
  .tuple(fc.string({ minLength: 1, maxLength: 20 }), fc.integer({ min: 16, max: 32 }), fc.boolean())
  .map(([seed, bytes, hex]) => {
    const digest = createHash('sha512').update(seed).digest();
    return hex ? digest.subarray(0, bytes).toString('hex') : digest.subarray(0, bytes).toString('base64url');
  });

export interface SecretUrl {
  url: string;
  secrets: string[];
  place: string;
}

export const secretUrlArb = (host = fc.constantFrom('example.org', '127.0.0.1:8080', 'alerts.internal')) =>
  fc.tuple(secretArb, secretArb, host, fc.constantFrom('http', 'https')).chain(([s, s2, h, scheme]) =>
    fc.constantFrom<SecretUrl>(
      { place: 'password', url: `${scheme}://vigil:${s}@${h}/api`, secrets: [s] },
      { place: 'user as token', url: `${scheme}://${s}@${h}/`, secrets: [s] },
      { place: 'query value', url: `${scheme}://${h}/notify?token=${s}&x=1`, secrets: [s] },
      { place: 'bare query', url: `${scheme}://${h}/notify?${s}`, secrets: [s] },
      { place: 'fragment', url: `${scheme}://${h}/d/vigil#auth=${s}`, secrets: [s] },
      {
        place: 'slack',
        url: `https://hooks.slack.com/services/T0${s2.slice(0, 8)}/B0${s2.slice(8, 16)}/${s}`,
        secrets: [s],
      },
      { place: 'discord', url: `https://discord.com/api/webhooks/1234567890123/${s}`, secrets: [s] },
      { place: 'discordapp', url: `https://discordapp.com/api/webhooks/98765/${s}`, secrets: [s] },
      {
        place: 'teams',
        url: `https://contoso.webhook.office.com/webhookb2/${s2}@tenant/IncomingWebhook/${s}/owner`,
        secrets: [s, s2],
      },
      { place: 'office.com', url: `https://outlook.office.com/webhook/${s}/IncomingWebhook/x`, secrets: [s] },
      {
        place: 'logic.azure.com',
        url: `https://prod-01.westeurope.logic.azure.com:443/workflows/${s2}/triggers/manual/paths/invoke?sig=${s}`,
        secrets: [s, s2],
      },
      {
        place: 'mattermost',
        url: `${scheme}://${h}/hooks/${s.toLowerCase().replace(/[^a-z0-9]/g, '')}x`,
        secrets: [s.toLowerCase().replace(/[^a-z0-9]/g, '') + 'x'],
      },
      { place: 'token segment', url: `${scheme}://${h}/api/v1/${s}/notify`, secrets: [s] },
    ),
  );
