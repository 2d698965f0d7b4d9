import { createHmac } from 'node:crypto';
import type { ChannelConfig } from '../../config.js';
import type { Notification } from '../message.js';
import type { Notifier } from '../notifier.js';

type WebhookConfig = Extract<ChannelConfig, { type: 'webhook' }>;

/** Pure: the signature header value of a body: HMAC-SHA256 with the shared secret, hex. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** A generic JSON webhook; signed (X-Vigil-Signature) when a secret is set. */
export class WebhookNotifier implements Notifier {
  readonly type = 'webhook';
  readonly name: string;

  constructor(private readonly config: WebhookConfig) {
    this.name = config.name;
  }

  async send(n: Notification): Promise<void> {
    const body = JSON.stringify({ source: 'vigil', ...n });
    const headers: Record<string, string> = { 'content-type': 'application/json', ...this.config.headers };
    if (this.config.secret) headers['x-vigil-signature'] = signBody(body, this.config.secret);
    const { default: axios } = await import('axios'); // loaded on first use: it is a sizeable share of vigil's memory
    await axios.post(this.config.url, body, { headers, timeout: 10_000, maxRedirects: 0, validateStatus: (s) => s >= 200 && s < 300 });
  }
}
