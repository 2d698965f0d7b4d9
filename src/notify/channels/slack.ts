import { PostError, postJson } from '../../post-json.js';
import type { ChannelConfig } from '../channel-config.js';
import type { Notification } from '../message.js';
import type { Notifier } from '../notifier.js';

type SlackConfig = Extract<ChannelConfig, { type: 'slack' }>;

/** Where an incident's chat thread hangs, kept across restarts (src/store/chat-threads.ts). */
export interface ThreadStore {
  get(channel: string, incidentId: string): string | undefined;
  put(channel: string, incidentId: string, thread: string): void;
}

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

/** Pure: a chat.postMessage body; a reply in the incident's thread when it has one. */
export function slackApiMessage(n: Notification, channel: string, thread: string | undefined): Record<string, unknown> {
  return { channel, ...slackPayload(n), ...(thread ? { thread_ts: thread } : {}), unfurl_links: false };
}

/**
 * Pure: the message's `ts` from a Web API answer. Slack answers 200 with `ok: false` and an error code
 * (`channel_not_found`, `invalid_auth`, …) when it refuses a message: that is a failed delivery.
 */
export function slackAnswerTs(answer: unknown): string {
  const a = (answer ?? {}) as { ok?: unknown; ts?: unknown; error?: unknown };
  const error = typeof a.error === 'string' ? a.error : 'no error code';
  if (a.ok !== true) throw new PostError(`Slack refused the message: ${error}`, 200);
  if (typeof a.ts !== 'string') throw new PostError('Slack accepted the message but gave no ts', 200);
  return a.ts;
}

export class SlackNotifier implements Notifier {
  readonly type = 'slack';
  readonly name: string;

  constructor(
    private readonly config: SlackConfig,
    private readonly threads: ThreadStore,
  ) {
    this.name = config.name;
  }

  async send(n: Notification): Promise<void> {
    const { url, token, channel, apiUrl } = this.config;
    if (url) {
      await postJson(url, slackPayload(n));
      return;
    }
    const incident = n.incident?.id;
    const thread = incident ? this.threads.get(this.name, incident) : undefined;
    const answer = await postJson(
      `${apiUrl.replace(/\/$/, '')}/chat.postMessage`,
      slackApiMessage(n, channel!, thread),
      {
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
      },
    );
    const ts = slackAnswerTs(answer);
    if (!incident || thread) return;
    try {
      this.threads.put(this.name, incident, ts);
    } catch {
      // delivered: failing it now would send it twice; the incident's next message starts a thread instead
    }
  }
}
