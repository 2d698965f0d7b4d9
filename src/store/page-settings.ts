import type { Db } from './db.js';

/** The kinds of setting the page makes: alert thresholds per container name, and channels. */
export type SettingScope = 'thresholds' | 'channel' | 'channel-added';

/**
 * Settings made on the page, kept in the store and held in memory (they are read on every sweep).
 * `generation` moves on every change, so that a reader can tell its copy is stale at a glance.
 */
export class PageSettingsStore {
  private readonly cache = new Map<string, unknown>();
  private readonly putStmt;
  private readonly deleteStmt;
  generation = 0;

  constructor(db: Db) {
    for (const row of db.prepare('SELECT scope, name, body FROM page_settings').all() as {
      scope: string;
      name: string;
      body: string;
    }[])
      this.cache.set(`${row.scope}\u0000${row.name}`, JSON.parse(row.body));
    this.putStmt = db.prepare(
      'INSERT OR REPLACE INTO page_settings (scope, name, body, updated_at) VALUES (?, ?, ?, ?)',
    );
    this.deleteStmt = db.prepare('DELETE FROM page_settings WHERE scope = ? AND name = ?');
  }

  get<T>(scope: SettingScope, name: string): T | undefined {
    return this.cache.get(`${scope}\u0000${name}`) as T | undefined;
  }

  /** Every setting of a scope, by name. */
  all<T>(scope: SettingScope): Map<string, T> {
    const out = new Map<string, T>();
    for (const [key, value] of this.cache) {
      const [s, name] = key.split('\u0000') as [string, string];
      if (s === scope) out.set(name, value as T);
    }
    return out;
  }

  /** Written to the store first: a setting the store refused is not applied either. */
  put(scope: SettingScope, name: string, value: unknown, now = Date.now()): void {
    this.putStmt.run(scope, name, JSON.stringify(value), now);
    this.cache.set(`${scope}\u0000${name}`, value);
    this.generation++;
  }

  delete(scope: SettingScope, name: string): void {
    this.deleteStmt.run(scope, name);
    this.cache.delete(`${scope}\u0000${name}`);
    this.generation++;
  }
}
