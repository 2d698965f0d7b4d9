// Pure: what the page's settings send: the change of one threshold, a channel's events with one ticked
// or unticked. No DOM: test/web/setting-changes.test.ts reads it.

import type { NotifyEventName, ThresholdsChange } from '../../src/http/api-types.js';
import { notifyEvents } from '../../src/notify/channel-events.js';

export type Field = 'cpu.warn' | 'cpu.crit' | 'memory.warn' | 'memory.crit' | 'sustainSeconds';

/** Pure: the change that sets one field (a number) or gives it back to the label or file (null). */
export function changeOf(field: Field, value: number | null): ThresholdsChange {
  if (field === 'sustainSeconds') return { sustainSeconds: value };
  const [resource, level] = field.split('.') as ['cpu' | 'memory', 'warn' | 'crit'];
  return { [resource]: { [level]: value } };
}

/** The events a channel can be given, as the server's schema lists them. */
export const notifyEventNames = notifyEvents;

/** Pure: a channel's events with one ticked or unticked; none left means every event again (null). */
export function toggled(events: readonly NotifyEventName[] | null, name: NotifyEventName): NotifyEventName[] | null {
  const now = new Set(events ?? []);
  if (now.has(name)) now.delete(name);
  else now.add(name);
  return now.size === 0 ? null : notifyEventNames.filter((e) => now.has(e));
}
