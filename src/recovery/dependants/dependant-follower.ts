import type { Logger } from 'pino';
import type { Inventory, InventoryEntry } from '../../docker/inventory.js';
import type { ContainerRecord } from '../../docker/types.js';
import { listen } from '../../listen.js';
import type { RecoveryStateStore } from '../../store/recovery-state.js';
import type { EventBus } from '../../streams/event-bus.js';
import { dependencyEdges, followOrder, type FollowStep } from './dependants.js';
import { containerKey } from '../identity.js';
import type { IntentTracker } from '../intent/intent-tracker.js';
import type { Medic } from '../medic/medic.js';
import type { MedicOptions } from '../medic/medic-options.js';
import type { RecoveryAction } from '../decisions/policy.js';
import { actionGate } from '../decisions/schedule.js';

/** Removed containers remembered by id, so that a sidecar of a recreated container finds its successor. */
const GONE_KEPT = 500;

export interface ChainStep {
  name: string;
  action: RecoveryAction | 'none';
  outcome: 'success' | 'failure' | 'skipped';
  reason: string;
}

/**
 * After a container comes back (its process restarted by vigil, the engine or a person, or it was
 * recreated), brings back what depends on it: the sidecars in its network namespace and what declares
 * it a dependency (compose depends_on with restart, vigil.depends_on). Once it runs, and is healthy if
 * it has a HEALTHCHECK, its dependants follow in dependency order, each under the medic's policy and
 * backoff and never one a person stopped; a sidecar whose namespace owner was recreated is recreated
 * into the new one. A cycle is reported, not followed. One `recovery.dependants` event tells the chain.
 */
export class DependantFollower {
  private readonly goneNames = new Map<string, string>();
  /** Came back with a HEALTHCHECK not yet passed: followed once healthy. */
  private readonly awaitingHealth = new Set<string>();
  private readonly reportedCycles = new Set<string>();
  private unsubscribe: (() => void) | null = null;
  /** Containers met in the first synchronisation were not seen coming back: only later ones count. */
  private synced = false;

  constructor(
    private readonly parts: {
      inventory: Inventory;
      intent: IntentTracker;
      medic: Medic;
      recovery: RecoveryStateStore;
      bus: EventBus;
      logger: Logger;
    },
    private readonly options: Pick<MedicOptions, 'autoheal' | 'schedule' | 'selfId'>,
    private readonly clock: () => number = Date.now,
  ) {}

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
      this.follow(record).catch((err: Error) =>
        this.parts.logger.error({ err: err.message, container: record.name }, 'following dependants failed'),
      );
    }
  }

  private async follow(root: ContainerRecord): Promise<void> {
    const records = this.parts.inventory.all().map((e) => e.record);
    const result = followOrder(root.id, dependencyEdges(records, this.goneNames));
    if (result.cycle) return this.reportCycle(root, result.cycle, records);
    if (result.order.length === 0) return;
    const steps: ChainStep[] = [];
    for (const step of result.order) {
      // what ran before may have changed them: read each afresh
      const dependant = this.parts.inventory.get(step.id)?.record;
      if (dependant) steps.push(await this.bring(root, dependant, step));
    }
    const container = { id: root.shortId, name: root.name };
    if (steps.every((s) => s.outcome === 'skipped' && s.reason.startsWith('already'))) return;
    this.parts.bus.publish({ type: 'recovery.dependants', container, data: { steps } });
    this.parts.logger.info({ container: root.name, steps }, 'dependants followed');
  }

  private async bring(root: ContainerRecord, dependant: ContainerRecord, step: FollowStep): Promise<ChainStep> {
    const name = dependant.name;
    const skipped = (reason: string): ChainStep => ({ name, action: 'none', outcome: 'skipped', reason });
    if (dependant.id === this.options.selfId) return skipped('vigil never acts on its own container');
    // started after what it depends on came back: it already follows it
    if (!step.stale && dependant.state === 'running' && startOf(dependant) >= startOf(root))
      return skipped(`already started after ${root.name}`);
    const desired = this.parts.intent.desired(containerKey(dependant))?.desired;
    if (desired === 'stopped') return skipped('a person stopped it; it stays stopped');
    if (dependant.state !== 'running' && desired !== 'running')
      return skipped(`it is ${dependant.state}, not meant to run`);
    const action: RecoveryAction = step.stale ? 'recreate' : 'restart';
    const recovery = this.parts.recovery.get(containerKey(dependant));
    const gate = actionGate(dependant.labels, action, recovery, this.clock(), this.options);
    if (gate.kind === 'refused') return skipped(`not acting: ${gate.why}`);
    if (gate.kind !== 'due') return skipped(`its own recovery is backing off (${gate.kind})`);
    const reason = step.stale
      ? `${root.name} was recreated; its network namespace is gone, so ${name} is recreated into the new one`
      : `${root.name} came back and ${name} depends on it (${step.kind})`;
    const how = { counted: false, trigger: 'dependency' as const };
    const into = { ...how, networkMode: `container:${root.id}` };
    const result = await this.parts.medic.actAlone(dependant, action, reason, step.stale ? into : how);
    if (result === null) return skipped('vigil is already acting on it');
    return { name, action, outcome: result.outcome, reason: result.error ? `${reason}: ${result.error}` : reason };
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

function startOf(record: ContainerRecord): number {
  return record.startedAt?.getTime() ?? 0;
}
