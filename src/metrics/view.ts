import type { InventoryEntry } from '../docker/inventory.js';
import type { ContainerSnapshot } from '../sampler.js';

/** What collectors read at scrape time: the inventory and the sampler's latest readings, never the engine. */
export interface ExporterView {
  containers(): InventoryEntry[];
  /** The latest reading of the container's current run, if it is running and has been sampled. */
  snapshot(entry: InventoryEntry): ContainerSnapshot | undefined;
  /** The limit the kernel applies to a container with no memory limit of its own. */
  hostMemoryBytes(): number;
}

export interface FamilyOptions {
  /** Docker labels exported on the info metric (VIGIL_LABELS). */
  labels: readonly string[];
}

/** One family of related per-container metrics, in a file of its own. */
export interface CollectorFamily {
  readonly name: string;
  register(registry: import('prom-client').Registry, view: ExporterView, options: FamilyOptions): void;
}

export const containerLabelNames = ['id', 'name'] as const;

export function containerLabels(entry: InventoryEntry): { id: string; name: string } {
  return { id: entry.record.shortId, name: entry.record.name };
}
