import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Inventory, InventoryEntry } from '../../docker/inventory.js';
import type { ContainerRecord } from '../../docker/types.js';
import { listen } from '../../listen.js';
import type { EventBus } from '../../streams/event-bus.js';
import { dependencyEdges, followOrder, type FollowStep } from './dependants.js';

/** Removed containers remembered by id, so that a sidecar of a recreated container finds its successor. */
const GONE_KEPT = 500;

/** The dependants to bring back after `root`, in the order to bring them (each after what it depends on). */
export interface DependantChain {
  root: ContainerRecord;
  order: FollowStep[];
}

/**
 * After a container comes back (its process restarted by vigil, the engine or a person, or it was
 * recreated), finds what depends on it: the sidecars in its network namespace and what declares it a
 * dependency (compose depends_on with restart, vigil.depends_on). Once it runs, and is healthy if it has
 * a HEALTHCHECK, it emits the chain of its dependants in dependency order, which the medic carries out
 * (Medic.followDependants, each step decided by dependant-step.ts). A cycle is reported, not followed.
 */
export class DependantFollower extends EventEmitter<{ chain: [DependantChain] }> {
  private readonly goneNames = new Map<string, string>();
  /** Came back with a HEALTHCHECK not yet passed: followed once healthy. */
  private readonly awaitingHealth = new Set<string>();
  private readonly reportedCycles = new Set<string>();
  private unsubscribe: (() => void) | null = null;
  /** Containers met in the first synchronisation were not seen coming back: only later ones count. */
  private synced = false;

  constructor(private readonly parts: { inventory: Inventory; bus: EventBus; logger: Logger }) {
    super();
  }

  start(): void {
    this.unsubscribe = listen(this.parts.inventory, {
      synced: () => void (this.synced = true),
      added: (entry: InventoryEntry) => this.synced && this.onChange(entry, undefined),
      changed: (entry: InventoryEntry, before: ContainerRecord) => this.onChange(entry, before),
      removed: ({ record }: InventoryEntry) => {
        this.awaitingHealth.delete(record.id);
        this.goneNames.set(record.id, record.name);
        if (this.goneNames.size > GONE_KEPT) this.goneNames.delete(this.goneNames.keys().next().value!);
      },
    });
  }

  stop(): void {
    this.unsubscribe?.();
  }

  private onChange({ record }: InventoryEntry, before: ContainerRecord | undefined): void {
    if (record.state !== 'running') return void this.awaitingHealth.delete(record.id);
    const cameBack = before === undefined || before.state !== 'running' || before.pid !== record.pid;
    if (cameBack && record.health !== null && record.health.status !== 'healthy') {
      this.awaitingHealth.add(record.id);
      return;
    }
    if (cameBack || (this.awaitingHealth.has(record.id) && record.health?.status === 'healthy')) {
      this.awaitingHealth.delete(record.id);
      try {
        this.follow(record);
      } catch (err) {
        this.parts.logger.error({ err: (err as Error).message, container: record.name }, 'following dependants failed');
      }
    }
  }

  private follow(root: ContainerRecord): void {
    const records = this.parts.inventory.all().map((e) => e.record);
    const result = followOrder(root.id, dependencyEdges(records, this.goneNames));
    if (result.cycle) return this.reportCycle(root, result.cycle, records);
    if (result.order.length > 0) this.emit('chain', { root, order: result.order });
  }

  private reportCycle(root: ContainerRecord, cycle: string[], records: readonly ContainerRecord[]): void {
    const names = cycle.map((id) => records.find((r) => r.id === id)?.name ?? id.slice(0, 12));
    const signature = [...new Set(names)].sort().join(',');
    if (this.reportedCycles.has(signature)) return;
    this.reportedCycles.add(signature);
    const container = { id: root.shortId, name: root.name };
    this.parts.bus.publish({ type: 'recovery.cycle', container, data: { cycle: names } });
    this.parts.logger.warn({ cycle: names }, 'containers depend on each other in a cycle; vigil does not follow it');
  }
}
