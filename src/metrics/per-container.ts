import { Counter, Gauge, type Registry } from 'prom-client';
import type { InventoryEntry } from '../docker/inventory.js';
import type { ContainerSnapshot } from '../sampler.js';
import { containerLabelNames, containerLabels, type ExporterView } from './view.js';

export interface PerContainerSpec {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  /** Only running, sampled containers (resource readings); otherwise every container in the inventory. */
  sampled?: boolean;
  /** The value, or null to leave this container out (a limit it does not have, say). */
  value(entry: InventoryEntry, snapshot: ContainerSnapshot | undefined): number | null;
}

/**
 * A metric with one series per container, rebuilt from the view at every scrape so that a removed
 * container's series go with it.
 */
export function perContainer(registry: Registry, view: ExporterView, spec: PerContainerSpec): void {
  const labelNames = [...containerLabelNames];
  function fill(write: (labels: { id: string; name: string }, value: number) => void): void {
    for (const entry of view.containers()) {
      const snapshot = view.snapshot(entry);
      if (spec.sampled && !snapshot) continue;
      const value = spec.value(entry, snapshot);
      if (value !== null) write(containerLabels(entry), value);
    }
  }
  if (spec.type === 'counter') {
    new Counter({
      name: spec.name,
      help: spec.help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        fill((labels, value) => this.inc(labels, value));
      },
    });
  } else {
    new Gauge({
      name: spec.name,
      help: spec.help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        fill((labels, value) => this.set(labels, value));
      },
    });
  }
}

/** A state set: one series per possible value, 1 for the current one (OpenMetrics' StateSet as gauges). */
export function perContainerStateSet(
  registry: Registry,
  view: ExporterView,
  spec: { name: string; help: string; label: string; values: readonly string[]; current(entry: InventoryEntry): string },
): void {
  new Gauge({
    name: spec.name,
    help: spec.help,
    labelNames: [...containerLabelNames, spec.label],
    registers: [registry],
    collect() {
      this.reset();
      for (const entry of view.containers()) {
        const current = spec.current(entry);
        const labels = containerLabels(entry);
        for (const value of spec.values) this.set({ ...labels, [spec.label]: value }, value === current ? 1 : 0);
      }
    },
  });
}
