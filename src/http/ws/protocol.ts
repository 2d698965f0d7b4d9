import { z } from 'zod';

/**
 * The WebSocket protocol at /api/v1/ws. Every server message is `{ type, data, timestamp }`:
 *  - `health:update`: the containers' health summary, system figures, firing alerts and the channels'
 *    health: the shapes of GET /api/v1/containers/health, /system, /alerts and /channels. Sent on
 *    subscribing and after every sampling sweep; a slow client gets the latest, never a queue of them.
 *  - `stats`: per-container resources after each sweep (the shape of /api/v1/containers/stats).
 *  - `event`: one event of the bus (the shape of /api/v1/events), as it happens.
 *  - `events:dropped`: `{ count }` events this client was too slow to take, said once it caught up.
 *  - `subscribed`, `error`: answers to the client's messages.
 * The client sends `{ type: 'subscribe' | 'unsubscribe', topics: [...], containers?: [...] }`; topics are
 * `health`, `stats`, `events` and `logs`; `containers` (names or ids) narrows `stats` and `events`, and
 * names the containers whose logs a `logs` subscriber follows (`tail` lines first). Each line comes as
 * `log`: `{ container, timestamp, stream, message }`; a followed log's end as `log:end`:
 * `{ container, reason }` (the container stopped, or the client was too slow and was cut).
 */

export const topics = ['health', 'stats', 'events', 'logs'] as const;
export type Topic = (typeof topics)[number];

const clientMessageSchema = z.strictObject({
  type: z.enum(['subscribe', 'unsubscribe']),
  topics: z.array(z.enum(topics)).min(1).max(topics.length),
  containers: z
    .array(z.string().regex(/^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/, 'a container name or id'))
    .max(100)
    .optional(),
  /** For `logs`: lines from before the subscription, per container (0 when absent). */
  tail: z.number().int().min(0).max(100_000).optional(),
});
export type ClientMessage = z.output<typeof clientMessageSchema>;

/** The longest message a client may send. */
export const MAX_CLIENT_MESSAGE_BYTES = 4096;

/** Pure: one client message, or what is wrong with it. */
export function parseClientMessage(
  text: string,
): { ok: true; message: ClientMessage } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'not JSON: send {"type":"subscribe","topics":["health"]}' };
  }
  const result = clientMessageSchema.safeParse(json);
  if (result.success) return { ok: true, message: result.data };
  const issue = result.error.issues[0]!;
  return { ok: false, problem: `${issue.path.join('.') || 'message'}: ${issue.message}` };
}

export interface Subscription {
  topics: Set<Topic>;
  /** Empty: every container. */
  containers: Set<string>;
}

/** Pure: the subscription after a client message. */
export function applyMessage(sub: Subscription, message: ClientMessage): Subscription {
  const next: Subscription = { topics: new Set(sub.topics), containers: new Set(sub.containers) };
  if (message.type === 'subscribe') {
    for (const t of message.topics) next.topics.add(t);
    for (const c of message.containers ?? []) next.containers.add(c.replace(/^\//, ''));
  } else {
    for (const t of message.topics) next.topics.delete(t);
    for (const c of message.containers ?? []) next.containers.delete(c.replace(/^\//, ''));
  }
  return next;
}

/** Pure: whether a message about this container (if any) reaches this subscriber. */
export function reaches(sub: Subscription, topic: Topic, container?: { id: string; name: string }): boolean {
  if (!sub.topics.has(topic)) return false;
  if (topic === 'health' || sub.containers.size === 0 || !container) return true;
  if (sub.containers.has(container.name)) return true;
  // events name containers by short id; a subscriber may give a full id or any prefix
  for (const ref of sub.containers) if (container.id.startsWith(ref) || ref.startsWith(container.id)) return true;
  return false;
}

export function serverMessage(type: string, data: unknown, now = new Date()): string {
  return JSON.stringify({ type, data, timestamp: now.toISOString() });
}

/** Pure: no Origin (not a browser), or one naming the host the request was sent to. */
export function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** Pure: the HTTP answer to an upgrade vigil refuses, with the API's error body. */
export function refusal(status: number, message: string): string {
  const reasons: Record<number, string> = {
    401: 'Unauthorized',
    403: 'Forbidden',
    421: 'Misdirected Request',
    429: 'Too Many Requests',
  };
  const reason = reasons[status];
  const body = JSON.stringify({ error: { status, message } });
  return `HTTP/1.1 ${status} ${reason ?? 'Not Found'}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`;
}
