import type { InventoryEntry } from '../docker/inventory.js';
import type { ContainerSnapshot } from '../sampler.js';

/** What collectors read at scrape time: the inventory and the sampler's latest readings, never the engine. */
export interface ExporterView {
  containers(): InventoryEntry[];
  /** The latest reading of the container's current run, if it is running and has been sampled. */
  snapshot(entry: InventoryEntry): ContainerSnapshot | undefined;
  /** The limit the kernel applies to a container with no memory limit of its own. */
  hostMemoryBytes(): number;
  /** Changes whenever the inventory or a snapshot does: rendered text is reused until then. */
  generation(): number;
  /** Changes whenever the inventory does (a container added, removed or changed), not with a sweep. */
  inventoryGeneration(): number;
}

export interface FamilyOptions {
  /** Docker labels exported on the info metric (VIGIL_LABELS). */
  labels: readonly string[];
}

/** One series per container, labelled id and name. */
export interface ValueMetric {
  kind: 'value';
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  /** Only running, sampled containers (resource readings); otherwise every container in the inventory. */
  sampled?: boolean;
  /**
   * The value reads the entry alone (its record, counts and probe verdict), never the snapshot, the view
   * or the clock: its text is reused until the inventory changes. State sets and info metrics are so
   * by their nature.
   */
  inventoryOnly?: boolean;
  /** The value, or null to leave this container out (a limit it does not have, say). */
  value(entry: InventoryEntry, snapshot: ContainerSnapshot | undefined, view: ExporterView): number | null;
}

/** A state set: one series per possible value, 1 for the current one (OpenMetrics' StateSet as gauges). */
export interface StateSetMetric {
  kind: 'stateset';
  name: string;
  help: string;
  label: string;
  values: readonly string[];
  current(entry: InventoryEntry): string;
}

/** Several state sets per container, one per check it has, told apart by the label `by` (`source`). */
export interface StateSetsMetric {
  kind: 'statesets';
  name: string;
  help: string;
  by: string;
  label: string;
  values: readonly string[];
  /** For each check the container has: its name (the `by` label's value) and its current state. */
  current(entry: InventoryEntry): readonly (readonly [string, string])[];
}

/** An info gauge: value 1, the information in labels after id and name. */
export interface InfoMetric {
  kind: 'info';
  name: string;
  help: string;
  labels(entry: InventoryEntry): Record<string, string>;
}

export type ContainerMetric = ValueMetric | StateSetMetric | StateSetsMetric | InfoMetric;

/** One family of related per-container metrics, in a file of its own. */
export interface CollectorFamily {
  readonly name: string;
  metrics(options: FamilyOptions): ContainerMetric[];
}
