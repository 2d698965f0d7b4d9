import type { ChannelChange, ChannelSettings, NotifyEventName, Severity, Sourced } from '../http/api-types.js';
import type { PageSettingsStore } from '../store/page-settings.js';
import { channelTarget } from './assemble.js';
import type { ChannelConfig } from './channel-config.js';

/** What the page set for one channel: only the values it set. */
export interface PageInterest {
  events?: NotifyEventName[];
  minSeverity?: Severity;
}

/** Pure: a channel's events and minimum severity, the page's over the file's, each with its source. */
export function effectiveInterest(
  file: Pick<ChannelConfig, 'events' | 'minSeverity'>,
  page: PageInterest | undefined,
): { events: Sourced<NotifyEventName[] | null>; minSeverity: Sourced<Severity> } {
  return {
    events: page?.events ? { value: page.events, source: 'page' } : { value: file.events ?? null, source: 'config' },
    minSeverity: page?.minSeverity
      ? { value: page.minSeverity, source: 'page' }
      : { value: file.minSeverity, source: 'config' },
  };
}

/** Pure: the page's values after a change: a value sets, null gives back to the file, absent leaves. */
export function applyChannelChange(before: PageInterest | undefined, change: ChannelChange): PageInterest {
  const after: PageInterest = { ...before };
  if (change.events === null) delete after.events;
  else if (change.events !== undefined) after.events = change.events;
  if (change.minSeverity === null) delete after.minSeverity;
  else if (change.minSeverity !== undefined) after.minSeverity = change.minSeverity;
  return after;
}

/**
 * The channels' settings: the file's channels, with what the page set for their events and minimum
 * severity (kept in the store, applied to the dispatcher at once and again at every start).
 */
export class ChannelSettingsSource {
  constructor(
    private readonly files: readonly ChannelConfig[],
    private readonly store: PageSettingsStore,
    private readonly dispatcher: {
      setInterest(name: string, interest: Pick<ChannelConfig, 'events' | 'minSeverity'>): boolean;
    },
  ) {
    for (const file of files) this.apply(file);
  }

  list(): ChannelSettings[] {
    return this.files.map((file) => ({
      name: file.name,
      type: file.type,
      ...effectiveInterest(file, this.store.get<PageInterest>('channel', file.name)),
      // channelTarget leaves out users, passwords, tokens and signing keys
      target: channelTarget(file).target,
      addedBy: 'config',
    }));
  }

  /** Null for no such channel. */
  change(name: string, change: ChannelChange): ChannelSettings | null {
    const file = this.files.find((f) => f.name === name);
    if (!file) return null;
    const after = applyChannelChange(this.store.get<PageInterest>('channel', name), change);
    if (Object.keys(after).length === 0) this.store.delete('channel', name);
    else this.store.put('channel', name, after);
    this.apply(file);
    return this.list().find((c) => c.name === name)!;
  }

  private apply(file: ChannelConfig): void {
    const { events, minSeverity } = effectiveInterest(file, this.store.get<PageInterest>('channel', file.name));
    this.dispatcher.setInterest(file.name, { events: events.value ?? undefined, minSeverity: minSeverity.value });
  }
}
