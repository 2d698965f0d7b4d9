import type { ChannelConfig } from '../channel-config.js';
import type { Notifier } from '../notifier.js';
import { EmailNotifier } from './email.js';
import { SlackNotifier } from './slack.js';
import { WebhookNotifier } from './webhook.js';

/** Every channel type vigil knows, by the `type` of its configuration. */
const channelTypes: { [T in ChannelConfig['type']]: (config: Extract<ChannelConfig, { type: T }>) => Notifier } = {
  email: (c) => new EmailNotifier(c),
  webhook: (c) => new WebhookNotifier(c),
  slack: (c) => new SlackNotifier(c),
};

export function createNotifier(config: ChannelConfig): Notifier {
  return (channelTypes[config.type] as (c: ChannelConfig) => Notifier)(config);
}
