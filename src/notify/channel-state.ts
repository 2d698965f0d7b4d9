import { channelSecrets, redactText } from '../redact.js';
import type { OutboxRow } from '../store/outbox.js';
import type { ChannelConfig } from './channel-config.js';
import type { Notifier } from './notifier.js';
import {
  CHANNEL_THRESHOLDS,
  channelStatus,
  channelTrend,
  errorRateOf,
  type ChannelStatus,
  type ChannelTrend,
} from './channel-status.js';

export interface ChannelHealth {
  name: string;
  type: string;
  sent: number;
  failed: number;
  expired: number;
  pending: number;
  /** From the error rate, the latest attempts and the last success (channel-status.ts). */
  status: ChannelStatus;
  trend: ChannelTrend;
  /** Of the last 20 attempts. */
  errorRate: number;
  latencyMs: number | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

/** What the dispatcher keeps per channel between deliveries. */
export interface ChannelState {
  notifier: Notifier;
  config: ChannelConfig;
  busy: boolean;
  lastSentAt: number | null;
  /** Send times within the last minute, for the rate limit. */
  recentSends: number[];
  health: Omit<ChannelHealth, 'name' | 'type' | 'pending' | 'errorRate' | 'status' | 'trend'> & { outcomes: boolean[] };
}

export function newChannelState(notifier: Notifier, config: ChannelConfig): ChannelState {
  const health = { sent: 0, failed: 0, expired: 0, latencyMs: null, lastSuccessAt: null, lastError: null };
  return {
    notifier,
    config,
    busy: false,
    lastSentAt: null,
    recentSends: [],
    health: { ...health, lastErrorAt: null, outcomes: [] },
  };
}

/** One delivery attempt (or channel test) and how it went, into the channel's health. */
export function recordAttempt(
  channel: ChannelState,
  now: number,
  ok: boolean,
  latencyMs: number,
  error?: string,
): void {
  const h = channel.health;
  h.outcomes = [...h.outcomes, ok].slice(-CHANNEL_THRESHOLDS.window);
  if (ok) {
    h.latencyMs = latencyMs;
    h.lastSuccessAt = new Date(now).toISOString();
  } else {
    h.lastError = error ?? 'unknown';
    h.lastErrorAt = new Date(now).toISOString();
  }
}

/** Pure: a channel's health as the API and the page show it; an error that quotes its URL or secrets, redacted. */
export function healthOf(c: ChannelState, pending: number, now: number): ChannelHealth {
  const { outcomes, ...counts } = c.health;
  const errorRate = errorRateOf(outcomes);
  const lastError = counts.lastError === null ? null : redactChannelError(c.config, counts.lastError);
  const lastSuccessAt = counts.lastSuccessAt === null ? null : Date.parse(counts.lastSuccessAt);
  const status = channelStatus({ outcomes, lastSuccessAt }, now);
  const trend = channelTrend(outcomes);
  return { name: c.config.name, type: c.config.type, status, trend, ...counts, lastError, pending, errorRate };
}

/** Pure: a channel's error fit to serve: its URLs redacted, its own secrets (echoed by the far side) removed. */
export function redactChannelError(config: ChannelConfig, error: string): string {
  return redactText(error, channelSecrets(config));
}

/** Pure: the rows of one channel ready now: at once after a quiet spell, else grouped after the window. */
export function readyRows(
  rows: readonly OutboxRow[],
  lastSentAt: number | null,
  groupMs: number,
  now: number,
): OutboxRow[] {
  return rows.filter(
    (r) => r.attempts > 0 || lastSentAt === null || now >= Math.max(r.createdAt, lastSentAt + groupMs),
  );
}
