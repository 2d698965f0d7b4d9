import type { ChannelConfig } from '../../config.js';
import type { Notification } from '../message.js';
import type { Notifier } from '../notifier.js';

type SlackConfig = Extract<ChannelConfig, { type: 'slack' }>;

const icon = { info: ':large_green_circle:', warning: ':warning:', critical: ':red_circle:' } as const;

/** Pure: a Slack incoming-webhook message (also what Mattermost and Rocket.Chat accept). */
export function slackPayload(n: Notification): { text: string; blocks: unknown[] } {
  const links = n.links.map((l) => `<${l.url}|${l.label}>`).join(' · ');
  return {
    text: `${icon[n.severity]} ${n.title}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${icon[n.severity]} *${n.title}*\n${n.text}` } },
      ...(links ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: links }] }] : []),
    ],
  };
}

export class SlackNotifier implements Notifier {
  readonly type = 'slack';
  readonly name: string;

  constructor(private readonly config: SlackConfig) {
    this.name = config.name;
  }

  async send(n: Notification): Promise<void> {
    const { default: axios } = await import('axios'); // loaded on first use, as for the webhook
    await axios.post(this.config.url, slackPayload(n), {
      timeout: 10_000,
      maxRedirects: 0,
      validateStatus: (s) => s >= 200 && s < 300,
    });
  }
}
