import type { InventoryEntry } from '../docker/inventory.js';
import { actionPermitted, type PolicyScope } from '../recovery/decisions/policy.js';
import type { AlertRecord } from '../store/alerts.js';
import { requestedAction } from './target.js';

/** Where an alert in /api/v1/alerts comes from: vigil's own detectors, or Alertmanager's webhook. */
export type AlertSource = 'vigil' | 'alertmanager';

/**
 * Pure: an alert vigil raised itself (spikes, the host, probes) carries `source="vigil"` and no
 * generator URL; every alert Prometheus sends through Alertmanager has the rule's generator URL.
 */
export function alertSource(alert: Pick<AlertRecord, 'labels' | 'generatorUrl'>): AlertSource {
  return alert.labels.source === 'vigil' && alert.generatorUrl === null ? 'vigil' : 'alertmanager';
}

/** What deciding whether a person must act reads about the container an alert names. */
export interface AttentionContext {
  /** The container of this host by name, its labels and whether vigil gave up recovering it. */
  container(name: string): { labels: Readonly<Record<string, string>>; gaveUp: boolean } | undefined;
  /** VIGIL_AUTOHEAL. */
  autoheal: PolicyScope;
}

/** Pure: the action vigil would take on a firing alert by itself, or null when it takes none. */
function actionVigilTakes(alert: AlertRecord, labels: Readonly<Record<string, string>>): string | null {
  if (alertSource(alert) === 'vigil') return labels['vigil.spike.action']?.trim() === 'restart' ? 'restart' : null;
  const requested = requestedAction(alert.labels);
  return requested.ok ? requested.action : null;
}

/**
 * Pure: whether a person must act on the alert: it is critical, vigil gave up on its container, or
 * vigil may not act on it (about no container of this host, its rule asks for no action, or the
 * container's policy forbids the action). A resolved alert needs no one.
 */
export function actionRequired(alert: AlertRecord, ctx: AttentionContext): boolean {
  if (alert.status !== 'firing') return false;
  if (alert.severity === 'critical') return true;
  const container = alert.containerName === null ? undefined : ctx.container(alert.containerName);
  if (!container) return true;
  if (container.gaveUp) return true;
  const action = actionVigilTakes(alert, container.labels);
  if (action === null) return true;
  return !actionPermitted({ ...container.labels }, ctx.autoheal, action as 'restart').allowed;
}

/** The context from the inventory and the medic's recovery states, read once per answer. */
export function attentionContext(
  entries: readonly InventoryEntry[],
  gaveUp: readonly { record: { id: string }; state: { gaveUpAt: number | null } }[],
  autoheal: PolicyScope,
): AttentionContext {
  const byName = new Map(entries.map((e) => [e.record.name, e.record]));
  const givenUp = new Set(gaveUp.filter((s) => s.state.gaveUpAt !== null).map((s) => s.record.id));
  return {
    autoheal,
    container(name) {
      const record = byName.get(name);
      return record && { labels: record.labels, gaveUp: givenUp.has(record.id) };
    },
  };
}

/** Knows no container: every alert but a resolved one needs a person (tests, and no medic). */
export const noAttentionContext: AttentionContext = { autoheal: 'off', container: () => undefined };
