import { postJson } from '../../post-json.js';
import type { ChannelConfig } from '../channel-config.js';
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
    await postJson(this.config.url, slackPayload(n));
  }
}
