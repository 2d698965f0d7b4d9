import { createHmac, timingSafeEqual } from 'node:crypto';
import { postJson } from '../../post-json.js';
import type { ChannelConfig } from '../channel-config.js';
import type { Notification } from '../message.js';
import type { Notifier } from '../notifier.js';

type WebhookConfig = Extract<ChannelConfig, { type: 'webhook' }>;

/**
 * Pure: the X-Vigil-Signature of a body sent at `unixSeconds`: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>">` with the shared secret. The time is signed with the body, so a captured request
 * replayed later is refused by a receiver that checks the age (see verifySignature).
 */
export function signBody(body: string, secret: string, unixSeconds: number): string {
  const t = Math.floor(unixSeconds);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/** Pure: what a receiver checks: the signature matches and was made within `toleranceSeconds` of now. */
export function verifySignature(
  header: string,
  body: string,
  secret: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header.trim());
  if (!match) return false;
  const t = Number(match[1]);
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signBody(body, secret, t).slice(`t=${t},v1=`.length), 'hex');
  const given = Buffer.from(match[2]!, 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
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
    const headers: Record<string, string> = { ...this.config.headers };
    if (this.config.secret) headers['x-vigil-signature'] = signBody(body, this.config.secret, Date.now() / 1000);
    await postJson(this.config.url, body, { headers });
  }
}
