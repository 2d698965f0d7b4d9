import { originOf, type SettingOrigins } from '../load-config.js';
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { effectiveMemoryLimit } from '../containers/view.js';
import type { Inventory, InventoryEntry } from '../docker/inventory.js';
import type { Medic } from '../recovery/medic/medic.js';
import { currentSnapshot, type Sampler } from '../sampler.js';
import type { AlertStore } from '../store/alerts.js';
import type { EventBus } from '../streams/event-bus.js';
import type { PageSettingsStore } from '../store/page-settings.js';
import {
  NORMAL,
  nextSpikeState,
  type SpikeDefaults,
  type SpikeLevel,
  type SpikeResource,
  type SpikeState,
  type SpikeThresholds,
} from './spikes.js';
import { ThresholdSource } from './threshold-source.js';

interface Watched {
  /** From the configuration, the container's labels and the page; asked again when the page's settings change. */
  limits: Record<SpikeResource, SpikeThresholds>;
  generation: number;
  state: Record<SpikeResource, SpikeState>;
  /** When the current spike of each resource began: its vigil-native alert's startsAt. */
  since: Partial<Record<SpikeResource, string>>;
}

const alertnames: Record<SpikeResource, string> = { cpu: 'VigilCpuSpike', memory: 'VigilMemorySpike' };

/**
 * Applies the spike detector to every sweep. A level reported (after its sustain) becomes a
 * `resource.spike` or `resource.normal` event (SSE, NATS, the page, the channels when `notify`), a
 * vigil-native alert in /api/v1/alerts beside Alertmanager's, and, only when the container is labelled
 * `vigil.spike.action=restart`, a restart through the medic's policy and backoff.
 */
export class SpikeWatch {
  private readonly watched = new Map<string, Watched>();
  readonly thresholds: ThresholdSource;

  constructor(
    private readonly parts: {
      inventory: Inventory;
      sampler: Sampler;
      bus: EventBus;
      alerts: AlertStore;
      medic: Medic;
      hostMemoryBytes: () => number;
      logger: Logger;
    },
    private readonly options: {
      defaults: SpikeDefaults;
      intervalSeconds: number;
      notify: boolean;
      /** The page's thresholds; labels and configuration alone without. */
      thresholds?: ThresholdSource;
    },
  ) {
    this.thresholds = options.thresholds ?? new ThresholdSource(undefined, options.defaults, options.intervalSeconds);
  }

  start(): void {
    this.parts.sampler.on('sweep', this.onSweep);
  }

  stop(): void {
    this.parts.sampler.off('sweep', this.onSweep);
  }

  private readonly onSweep = (): void => {
    const live = new Set<string>();
    for (const entry of this.parts.inventory.all()) {
      const snapshot = currentSnapshot(this.parts.sampler, entry.record);
      if (!snapshot) continue;
      live.add(entry.record.id);
      const watched = this.watched.get(entry.record.id) ?? this.watch(entry);
      this.watched.set(entry.record.id, watched);
      // a threshold set on the page applies from this sweep on; the level reached so far stands
      if (watched.generation !== this.thresholds.generation) {
        watched.limits = this.thresholds.linesFor(entry.record);
        watched.generation = this.thresholds.generation;
      }
      const cores = entry.record.limits.cpuCores ?? 1;
      const memoryLimit = effectiveMemoryLimit(entry, snapshot, this.parts.hostMemoryBytes());
      const values: Record<SpikeResource, number | null> = {
        cpu: snapshot.cpuPercent === null ? null : snapshot.cpuPercent / cores,
        memory: memoryLimit > 0 ? (snapshot.sample.memoryWorkingSetBytes / memoryLimit) * 100 : null,
      };
      for (const resource of ['cpu', 'memory'] as const) {
        const before = watched.state[resource];
        const after = nextSpikeState(before, values[resource], watched.limits[resource]);
        watched.state[resource] = after;
        if (after.level !== before.level)
          this.report(entry, watched, resource, before.level, after.level, values[resource]!);
      }
    }
    for (const id of this.watched.keys()) if (!live.has(id)) this.watched.delete(id);
  };

  private watch({ record }: InventoryEntry): Watched {
    const limits = this.thresholds.linesFor(record);
    return { limits, generation: this.thresholds.generation, state: { cpu: NORMAL, memory: NORMAL }, since: {} };
  }

  private report(
    entry: InventoryEntry,
    watched: Watched,
    resource: SpikeResource,
    from: SpikeLevel,
    to: SpikeLevel,
    value: number,
  ): void {
    const { record } = entry;
    const limits = watched.limits[resource];
    const forSeconds = limits.forSweeps * this.options.intervalSeconds;
    const percent = Math.round(value * 10) / 10;
    const container = { id: record.shortId, name: record.name };
    const data = { resource, level: to, previous: from, percent, warn: limits.warn, crit: limits.crit, forSeconds };
    this.parts.bus.publish({
      type: to === 'normal' ? 'resource.normal' : 'resource.spike',
      container,
      data: { ...data, notify: this.options.notify },
    });
    const now = new Date();
    const startsAt = (watched.since[resource] ??= now.toISOString());
    if (to === 'normal') delete watched.since[resource];
    const alertname = alertnames[resource];
    // the alert names its container already: "VigilMemorySpike on web: memory at 91 % of its limit"
    const summary = `${resource} at ${percent} % of its limit (${to === 'normal' ? 'back below' : `over ${to === 'critical' ? limits.crit : limits.warn} %`})`;
    try {
      this.parts.alerts.recordAll(
        [
          {
            fingerprint: createHash('sha256').update(`vigil/${record.name}/${resource}`).digest('hex').slice(0, 16),
            startsAt,
            status: to === 'normal' ? 'resolved' : 'firing',
            alertname,
            severity: to === 'normal' ? from : to,
            labels: { alertname, name: record.name, severity: to === 'normal' ? from : to, source: 'vigil' },
            annotations: { summary },
            endsAt: to === 'normal' ? now.toISOString() : null,
            generatorUrl: null,
            containerName: record.name,
          },
        ],
        now.getTime(),
      );
    } catch (err) {
      this.parts.logger.warn({ err: (err as Error).message, container: record.name }, 'spike alert not recorded');
    }
    this.parts.logger.info(
      { container: record.name, ...data },
      to === 'normal' ? 'resource back to normal' : 'resource spike',
    );
    if (to !== 'normal' && record.labels['vigil.spike.action']?.trim() === 'restart')
      this.parts.medic.alertFiring(record.id, alertname, 'restart');
  }
}

/** The watch with the configuration's lines, sustain and notification choice. */
export function spikeWatchFor(
  config: Config,
  parts: ConstructorParameters<typeof SpikeWatch>[0],
  settings?: PageSettingsStore,
  origins: SettingOrigins = {},
): SpikeWatch {
  const notify = config.spikeNotify === 'always' || (config.spikeNotify === 'auto' && !config.alertmanagerUrl);
  const defaults = {
    cpu: { warn: config.spikeCpuWarn, crit: config.spikeCpuCrit },
    memory: { warn: config.spikeMemoryWarn, crit: config.spikeMemoryCrit },
    forSeconds: config.spikeForMs / 1000,
    origins: {
      cpu: { warn: originOf(origins, 'spikeCpuWarn'), crit: originOf(origins, 'spikeCpuCrit') },
      memory: { warn: originOf(origins, 'spikeMemoryWarn'), crit: originOf(origins, 'spikeMemoryCrit') },
      forSeconds: originOf(origins, 'spikeForMs'),
    },
  };
  const intervalSeconds = config.sampleIntervalMs / 1000;
  const thresholds = new ThresholdSource(settings, defaults, intervalSeconds);
  return new SpikeWatch(parts, { defaults, intervalSeconds, notify, thresholds });
}
