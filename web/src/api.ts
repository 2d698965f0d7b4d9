// The page's only way to the server: the JSON API (with the CSRF header once signed in) and the WebSocket.
// The answers' types are the server's own (src/http/api-types.ts), imported type-only.

import type { ChannelHealth, HealthSummary, SystemAnswer, VigilEvent } from '../../src/http/api-types.js';
import type { alertView } from '../../src/http/routes/alerts.js';

let csrf: string | null = null;

export class Unauthorized extends Error {}

/** A refusal of the server's: its message, and how long it asked the page to wait before asking again. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfterSeconds: number | null,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  if (csrf) headers.set('x-vigil-csrf', csrf);
  const res = await fetch(path, { ...init, headers, credentials: 'same-origin' });
  if (res.status === 401) throw new Unauthorized('sign in');
  const body = res.status === 204 ? null : ((await res.json()) as T & { error?: { message: string } });
  if (!res.ok) {
    const error = (body as { error?: { message?: string; retryAfterSeconds?: number } } | null)?.error;
    throw new ApiError(error?.message ?? `HTTP ${res.status}`, res.status, error?.retryAfterSeconds ?? null);
  }
  return body as T;
}

export interface SessionState {
  required: boolean;
  signedIn: boolean;
  csrf?: string;
}

export async function session(): Promise<SessionState> {
  const state = await api<SessionState>('/api/v1/session');
  csrf = state.csrf ?? null;
  return state;
}

export async function signIn(token: string): Promise<void> {
  const res = await api<{ csrf: string }>('/api/v1/session', { method: 'POST', body: JSON.stringify({ token }) });
  csrf = res.csrf;
}

/** The `health:update` message: the shapes of the routes it stands for (src/http/ws/state.ts). */
export interface HealthUpdate {
  containers: HealthSummary;
  system: SystemAnswer;
  channels: ChannelHealth[];
  alerts: { alerts: ReturnType<typeof alertView>[] };
}

/** The live socket's messages the page reads (src/http/ws/protocol.ts); the rest pass by. */
export type LiveMessage = { timestamp: string } & (
  | { type: 'health:update'; data: HealthUpdate }
  | { type: 'event'; data: VigilEvent }
  | { type: 'stats' | 'subscribed' | 'events:dropped' | 'error'; data: unknown }
);

/** The live socket, reopened with a growing pause when it drops; subscribes again each time. */
export function live(onMessage: (m: LiveMessage) => void, onState: (open: boolean) => void): () => void {
  let socket: WebSocket | null = null;
  let closed = false;
  let delay = 500;
  const open = () => {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/ws`;
    socket = new WebSocket(url);
    socket.onopen = () => {
      delay = 500;
      onState(true);
      socket?.send(JSON.stringify({ type: 'subscribe', topics: ['health', 'events'] }));
    };
    socket.onmessage = (e: MessageEvent<string>) => onMessage(JSON.parse(e.data) as LiveMessage);
    socket.onclose = () => {
      onState(false);
      if (closed) return;
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 10_000);
    };
  };
  open();
  return () => {
    closed = true;
    socket?.close();
  };
}
