import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { redactUrl } from '../logger.js';
import type { Db } from '../store/db.js';
import { ChatThreadStore } from '../store/chat-threads.js';
import { OutboxStore } from '../store/outbox.js';
import type { EventBus } from '../streams/event-bus.js';
import { createNotifier } from './channels/index.js';
import { Dispatcher } from './dispatcher.js';
import { notificationFor } from './message.js';

/** The outbox and its dispatcher, fed by every event on the bus that someone should hear of. */
export function assembleNotifications(
  config: Config,
  db: Db,
  bus: EventBus,
  logger: Logger,
  clock: () => number = Date.now,
): { outbox: OutboxStore; threads: ChatThreadStore; dispatcher: Dispatcher } {
  const outbox = new OutboxStore(db);
  const threads = new ChatThreadStore(db);
  const dispatcher = new Dispatcher(
    outbox,
    config.channels.map((c) => ({ config: c, notifier: createNotifier(c, { threads }) })),
    logger.child({ component: 'notify' }),
    {
      retryBaseMs: config.notifyRetryMs,
      retryMaxMs: config.notifyRetryMaxMs,
      expiryMs: config.notifyExpiryMs,
      dedupeMs: config.notifyDedupeMs,
      groupMs: config.notifyGroupMs,
      tickMs: 250,
    },
    clock,
  );
  const links = { grafanaUrl: config.grafanaUrl, alertmanagerUrl: config.alertmanagerUrl?.[0] };
  bus.on('event', (event) => {
    const notification = notificationFor(event, links);
    if (notification) dispatcher.enqueue(notification);
  });
  return { outbox, threads, dispatcher };
}

/** Where a channel delivers, fit for a log line: no user, password or token. */
export function channelTarget(c: Config['channels'][number]): { name: string; type: string; target: string } {
  const target =
    c.type === 'email'
      ? `smtp://${c.smtp.host}:${c.smtp.port}${c.smtp.user ? ' (with auth)' : ''}`
      : c.type === 'slack' && !c.url
        ? `${redactUrl(c.apiUrl)} #${c.channel} (Web API)`
        : redactUrl(c.url!);
  return { name: c.name, type: c.type, target };
}
