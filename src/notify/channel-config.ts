import { z } from 'zod';
import { notifyEvents, severities } from './channel-events.js';

// The configuration of one notification channel: a part of the one configuration schema (src/config.ts).

export { notifyEvents, severities };

const channelCommon = {
  name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/, 'a channel name is letters, digits, _ . - (up to 63)'),
  /** The events this channel wants; all when absent. */
  events: z.array(z.enum(notifyEvents)).min(1).optional(),
  minSeverity: z.enum(severities).default('info'),
  /** Messages per minute at most; the rest wait in the outbox. */
  ratePerMinute: z.number().int().min(1).max(10_000).default(30),
};

export const channelSchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...channelCommon,
    type: z.literal('email'),
    smtp: z.strictObject({
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535).default(587),
      /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
      secure: z.boolean().default(false),
      requireTLS: z.boolean().default(false),
      /** Accept a self-signed certificate (an internal relay); off by default. */
      allowSelfSigned: z.boolean().default(false),
      user: z.string().optional(),
      pass: z.string().optional(),
    }),
    from: z.string().min(3),
    to: z.array(z.email()).min(1),
  }),
  z.strictObject({
    ...channelCommon,
    type: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/ }),
    /** HMAC-SHA256 of the body, sent as X-Vigil-Signature: sha256=<hex>. */
    secret: z.string().min(8).optional(),
    headers: z.record(z.string(), z.string()).optional(),
  }),
  z
    .strictObject({
      ...channelCommon,
      type: z.literal('slack'),
      /** An incoming webhook (Slack, Mattermost, Rocket.Chat): posts, but cannot reply in a thread. */
      url: z.url({ protocol: /^https?$/ }).optional(),
      /** Slack's Web API (a bot token with chat:write): each incident is one thread in `channel`. */
      token: z.string().min(8).optional(),
      channel: z.string().min(1).optional(),
      apiUrl: z.url({ protocol: /^https?$/ }).default('https://slack.com/api'),
    })
    .refine((c) => (c.url !== undefined ? !c.token && !c.channel : c.token !== undefined && c.channel !== undefined), {
      message: 'a slack channel has either url (an incoming webhook) or token and channel (the Web API)',
    }),
]);
export type ChannelConfig = z.output<typeof channelSchema>;
