import type { NewChannel, Severity } from '../../src/http/api-types.js';

// Pure: what the page's "Add a channel" form holds, and the body of POST /api/v1/settings/channels made
// of it. Empty fields are left out, so that the server's defaults (port 587, the Slack API) apply and its
// 400 names a field that is missing rather than one sent empty.

export type ChannelKind = NewChannel['type'];
export const channelKinds: readonly ChannelKind[] = ['webhook', 'slack', 'email'];

export interface ChannelDraft {
  name: string;
  type: ChannelKind;
  minSeverity: Severity;
  /** The webhook's URL, or Slack's incoming webhook. */
  url: string;
  /** The webhook's signing key; Slack's bot token. */
  secret: string;
  /** Slack's channel (with a bot token). */
  channel: string;
  smtpHost: string;
  smtpPort: string;
  smtpUser: string;
  smtpPass: string;
  from: string;
  /** Addresses, separated by commas or spaces. */
  to: string;
}

export const emptyDraft: ChannelDraft = {
  name: '',
  type: 'webhook',
  minSeverity: 'info',
  url: '',
  secret: '',
  channel: '',
  smtpHost: '',
  smtpPort: '',
  smtpUser: '',
  smtpPass: '',
  from: '',
  to: '',
};

const given = (s: string) => (s.trim() === '' ? undefined : s.trim());

export function newChannelOf(d: ChannelDraft): NewChannel {
  const common = { name: d.name.trim(), minSeverity: d.minSeverity };
  if (d.type === 'webhook') return { ...common, type: 'webhook', url: d.url.trim(), secret: given(d.secret) };
  if (d.type === 'slack')
    return { ...common, type: 'slack', url: given(d.url), token: given(d.secret), channel: given(d.channel) };
  const port = given(d.smtpPort);
  return {
    ...common,
    type: 'email',
    smtp: {
      host: d.smtpHost.trim(),
      // a port that is no number is sent as typed, for the server to name it
      ...(port === undefined ? {} : { port: /^\d+$/.test(port) ? Number(port) : Number.NaN }),
      user: given(d.smtpUser),
      pass: given(d.smtpPass),
    },
    from: d.from.trim(),
    to: d.to.split(/[\s,]+/).filter(Boolean),
  };
}

/** Pure: the draft after an add: the kind and severity stay for the next one, every value (secrets first) goes. */
export function clearedDraft(d: ChannelDraft): ChannelDraft {
  return { ...emptyDraft, type: d.type, minSeverity: d.minSeverity };
}
