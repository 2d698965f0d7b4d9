import type { IncidentRef } from '../streams/events.js';
import type { notifyEvents, severities } from './channel-config.js';

/** "1 container", "2 containers": a count with its noun, in every message. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export type NotifyEvent = (typeof notifyEvents)[number];
export type Severity = (typeof severities)[number];

/** One thing to tell people about; a channel renders it in its own way. */
export interface Notification {
  /** Same key within the dedupe window: the same news, sent once. */
  key: string;
  event: NotifyEvent;
  severity: Severity;
  /** One line: what happened to what. */
  title: string;
  /** What happened, to which container, and what vigil did about it. */
  text: string;
  container?: { id: string; name: string };
  links: { label: string; url: string }[];
  at: string;
  /** The incident it belongs to: mail threads on it, webhooks carry it. */
  incident?: IncidentRef;
}

/** What every message of an event starts from: its time, container, links and incident. */
export type MessageBase = Pick<Notification, 'at' | 'container' | 'links' | 'incident'>;

export const severityRank: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };
