import type { ThresholdSettings, ThresholdsChange } from '../http/api-types.js';
import type { PageSettingsStore } from '../store/page-settings.js';
import type { SpikeDefaults, SpikeResource, SpikeThresholds } from './spikes.js';
import {
  applyThresholdsChange,
  effectiveThresholds,
  spikeThresholdsOf,
  type PageThresholds,
} from './threshold-settings.js';

/**
 * A container's spike thresholds as they are now: the configuration, its labels and what the page
 * set for its name (kept in the store, so a restart of vigil keeps it and a recreated container
 * under the same name inherits it). The spike watch asks again whenever `generation` moved.
 */
export class ThresholdSource {
  constructor(
    private readonly store: PageSettingsStore | undefined,
    readonly defaults: SpikeDefaults,
    private readonly intervalSeconds: number,
  ) {}

  get generation(): number {
    return this.store?.generation ?? 0;
  }

  settingsFor(record: { name: string; labels: Readonly<Record<string, string>> }): ThresholdSettings {
    return effectiveThresholds(
      record.labels,
      this.defaults,
      this.store?.get<PageThresholds>('thresholds', record.name),
    );
  }

  linesFor(record: { name: string; labels: Readonly<Record<string, string>> }): Record<SpikeResource, SpikeThresholds> {
    return spikeThresholdsOf(this.settingsFor(record), this.intervalSeconds);
  }

  /** The page's change for a container's name; a change that leaves nothing set removes the row. */
  change(name: string, change: ThresholdsChange): void {
    if (!this.store) throw new Error('no store for settings');
    const after = applyThresholdsChange(this.store.get<PageThresholds>('thresholds', name), change);
    if (Object.keys(after).length === 0) this.store.delete('thresholds', name);
    else this.store.put('thresholds', name, after);
  }

  /** Everything the page set for a container's name, given back to its labels and the configuration. */
  reset(name: string): void {
    this.store?.delete('thresholds', name);
  }
}
