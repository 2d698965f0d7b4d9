import type { ChannelChange, ChannelSettings, NotifyEventName, Severity, Sourced } from '../http/api-types.js';
import type { PageSettingsStore } from '../store/page-settings.js';
import { channelTarget } from './assemble.js';
import { redactUrl } from '../redact.js';
import { channelSchema, type ChannelConfig } from './channel-config.js';
import type { Notifier } from './notifier.js';

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
    events: page?.events ? { value: page.events, source: 'page' } : { value: file.events ?? null, source: 'file' },
    minSeverity: page?.minSeverity
      ? { value: page.minSeverity, source: 'page' }
      : { value: file.minSeverity, source: 'file' },
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

/** Pure: the fields of a channel that hold a secret, by name: what the page shows masked, never their values. */
export function secretFieldsOf(c: ChannelConfig): string[] {
  const fields: string[] = [];
  if (c.type === 'email') {
    if (c.smtp.pass) fields.push('smtp.pass');
    return fields;
  }
  // a chat webhook's whole URL is its secret; a plain one's only when redaction hides some of it
  if (c.url && (c.type === 'slack' || redactUrl(c.url) !== c.url)) fields.push('url');
  if (c.type === 'slack' && c.token) fields.push('token');
  if (c.type === 'webhook') {
    if (c.secret) fields.push('secret');
    for (const header of Object.keys(c.headers ?? {})) fields.push(`headers.${header}`);
  }
  return fields;
}

/** Pure: a page-added channel after a change of its events or severity: null gives back "all" and "info". */
export function changedAddedChannel(c: ChannelConfig, change: ChannelChange): ChannelConfig {
  const after: ChannelConfig = { ...c };
  if (change.events === null) delete after.events;
  else if (change.events !== undefined) after.events = change.events;
  if (change.minSeverity !== undefined) after.minSeverity = change.minSeverity ?? 'info';
  return after;
}

/** What the source needs of the dispatcher: interest set at once, channels added and removed at runtime. */
export interface ChannelRegistry {
  setInterest(name: string, interest: Pick<ChannelConfig, 'events' | 'minSeverity'>): boolean;
  addChannel(notifier: Notifier, config: ChannelConfig): boolean;
  removeChannel(name: string): Promise<boolean>;
}

export type RemoveOutcome = 'removed' | 'from-config' | 'unknown';

/**
 * The channels' settings: the file's channels, with what the page set for their events and minimum
 * severity, and the channels added on the page (their whole configuration, secrets included, kept in
 * the store and never served back). Everything is applied to the dispatcher at once, and again at
 * every start.
 */
export class ChannelSettingsSource {
  /** The page's channels, in the order they were added. */
  private readonly added = new Map<string, ChannelConfig>();

  constructor(
    private readonly files: readonly ChannelConfig[],
    private readonly store: PageSettingsStore,
    private readonly dispatcher: ChannelRegistry,
    private readonly makeNotifier: (config: ChannelConfig) => Notifier,
    private readonly warn: (message: string, fields: Record<string, unknown>) => void = () => undefined,
  ) {
    for (const file of files) this.apply(file);
    for (const [name, stored] of this.store.all<unknown>('channel-added')) {
      // kept by an earlier vigil: read again with today's schema, which it may no longer fit
      const parsed = channelSchema.safeParse(stored);
      if (!parsed.success) {
        this.warn('a channel added on the page no longer fits the schema; it is left out', {
          channel: name,
          issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
        });
        continue;
      }
      if (files.some((f) => f.name === name)) {
        this.warn("a channel added on the page has the name of one in the configuration file; the file's is used", {
          channel: name,
        });
        continue;
      }
      this.added.set(name, parsed.data);
      this.dispatcher.addChannel(this.makeNotifier(parsed.data), parsed.data);
    }
  }

  list(): ChannelSettings[] {
    const fromFile = this.files.map((file): ChannelSettings => ({
      name: file.name,
      type: file.type,
      ...effectiveInterest(file, this.store.get<PageInterest>('channel', file.name)),
      // channelTarget leaves out users, passwords, tokens and signing keys
      target: channelTarget(file).target,
      secrets: secretFieldsOf(file),
      addedBy: 'file',
    }));
    const fromPage = [...this.added.values()].map((c): ChannelSettings => ({
      name: c.name,
      type: c.type,
      events: { value: c.events ?? null, source: 'page' },
      minSeverity: { value: c.minSeverity, source: 'page' },
      target: channelTarget(c).target,
      secrets: secretFieldsOf(c),
      addedBy: 'page',
    }));
    return [...fromFile, ...fromPage];
  }

  /** Null for no such channel. */
  change(name: string, change: ChannelChange): ChannelSettings | null {
    const added = this.added.get(name);
    if (added) {
      const after = changedAddedChannel(added, change);
      this.store.put('channel-added', name, after);
      this.added.set(name, after);
      this.dispatcher.setInterest(name, { events: after.events, minSeverity: after.minSeverity });
      return this.shown(name);
    }
    const file = this.files.find((f) => f.name === name);
    if (!file) return null;
    const after = applyChannelChange(this.store.get<PageInterest>('channel', name), change);
    if (Object.keys(after).length === 0) this.store.delete('channel', name);
    else this.store.put('channel', name, after);
    this.apply(file);
    return this.shown(name);
  }

  /**
   * A channel from the page: kept in the store first (a channel the store refused is not added either),
   * then handed to the dispatcher, which sends it what is enqueued from now on. Null when the name is taken.
   */
  add(config: ChannelConfig): ChannelSettings | null {
    if (this.files.some((f) => f.name === config.name) || this.added.has(config.name)) return null;
    this.store.put('channel-added', config.name, config);
    this.added.set(config.name, config);
    this.dispatcher.addChannel(this.makeNotifier(config), config);
    return this.shown(config.name);
  }

  /** Only a channel added on the page is removed here; one from the file is removed in the file. */
  async remove(name: string): Promise<RemoveOutcome> {
    if (this.files.some((f) => f.name === name)) return 'from-config';
    if (!this.added.has(name)) return 'unknown';
    this.store.delete('channel-added', name);
    this.added.delete(name);
    await this.dispatcher.removeChannel(name);
    return 'removed';
  }

  private shown(name: string): ChannelSettings {
    return this.list().find((c) => c.name === name)!;
  }

  private apply(file: ChannelConfig): void {
    const { events, minSeverity } = effectiveInterest(file, this.store.get<PageInterest>('channel', file.name));
    this.dispatcher.setInterest(file.name, { events: events.value ?? undefined, minSeverity: minSeverity.value });
  }
}
