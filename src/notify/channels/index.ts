import type { ChannelConfig } from '../channel-config.js';
import type { Notifier } from '../notifier.js';
import { EmailNotifier } from './email.js';
import { SlackNotifier, type ThreadStore } from './slack.js';
import { WebhookNotifier } from './webhook.js';

/** Every channel type vigil knows, by the `type` of its configuration. */
const channelTypes: {
  [T in ChannelConfig['type']]: (config: Extract<ChannelConfig, { type: T }>, deps: NotifierDeps) => Notifier;
} = {
  email: (c) => new EmailNotifier(c),
  webhook: (c) => new WebhookNotifier(c),
  slack: (c, deps) => new SlackNotifier(c, deps.threads),
};

/** What a channel may keep between messages: the chat thread of each incident. */
export interface NotifierDeps {
  threads: ThreadStore;
}

export function createNotifier(config: ChannelConfig, deps: NotifierDeps): Notifier {
  return (channelTypes[config.type] as (c: ChannelConfig, d: NotifierDeps) => Notifier)(config, deps);
}
