import type { InventoryEntry } from '../../docker/inventory.js';
import type { ContainerRecord } from '../../docker/types.js';
import type { RecoveryState, RecoveryStateStore } from '../../store/recovery-state.js';
import { containerKey } from '../identity.js';

/** The recovery state of every container that has one; empty while the store cannot be read. */
export function recoveryStates(
  entries: readonly InventoryEntry[],
  store: RecoveryStateStore,
): { record: ContainerRecord; state: RecoveryState }[] {
  let states: Map<string, RecoveryState>;
  try {
    // one query for all, not one per container: this runs at every scrape
    states = new Map(store.all().map((r) => [r.key, r]));
  } catch {
    return [];
  }
  return entries
    .map(({ record }) => ({ record, state: states.get(containerKey(record)) }))
    .filter((e): e is { record: ContainerRecord; state: RecoveryState } => e.state !== undefined);
}
