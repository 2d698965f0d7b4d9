import type { Notification } from './message.js';

/** One notification channel (email, webhook, chat…): renders a notification and delivers it. */
export interface Notifier {
  readonly name: string;
  readonly type: string;
  /** Resolves once the other side accepted it; rejects with why not. */
  send(notification: Notification): Promise<void>;
  close?(): Promise<void>;
}
