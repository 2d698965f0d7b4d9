import type { InventoryEntry } from '../../docker/inventory.js';
import type { ContainerRecord } from '../../docker/types.js';
import { isCurrent, probeFailureReason } from '../../probes/state.js';
import type { VigilEvent } from '../../streams/event-bus.js';
import type { OwnAlertFacts } from './active.js';

/** What the facts are read from: the inventory, the medic's recovery states, the channels' health. */
export interface OwnAlertParts {
  containers: () => readonly InventoryEntry[];
  recoveryStates: () => readonly { record: ContainerRecord; state: { gaveUpAt: number | null } }[];
  channels: () => readonly { name: string; status: string; lastError: string | null }[];
  bus: { on(event: 'event', listener: (e: VigilEvent) => void): unknown };
}

type Level = 'warning' | 'critical';
const level = (v: unknown): Level | null => (v === 'warning' || v === 'critical' ? v : null);
const resource = (v: unknown): 'cpu' | 'memory' | null => (v === 'cpu' || v === 'memory' ? v : null);

/** Pure: running and not unhealthy (nor still starting) is healthy again. */
export function healthyNow(record: Pick<ContainerRecord, 'state' | 'health'>): boolean {
  return record.state === 'running' && (record.health === null || record.health.status === 'healthy');
}

/**
 * Pure: the containers whose label-declared probes fail on their current run, and why. Read when the
 * facts are asked for, so that a log probe's window running out ends its alert without an event.
 */
export function failingProbes(entries: readonly InventoryEntry[], now: number): { name: string; detail: string }[] {
  const failing: { name: string; detail: string }[] = [];
  for (const { record, probe } of entries) {
    if (record.state !== 'running' || !probe || !isCurrent(probe, record.startedAt)) continue;
    const detail = probeFailureReason(probe, now);
    if (detail !== null) failing.push({ name: record.name, detail: detail.slice(0, 500) });
  }
  return failing;
}

/**
 * Keeps what the events tell (spikes, the boot reconcile's failures) and reads the rest when asked (the
 * given-up containers, the probes, the channels): the facts vigil's own alerts are decided from
 * (src/alerts/own/active.ts).
 */
export class OwnAlertSources {
  private readonly spikes = new Map<string, { name: string; resource: 'cpu' | 'memory'; level: Level }>();
  private readonly host = new Map<'cpu' | 'memory', Level>();
  private readonly bootFailed = new Map<string, string>();

  constructor(
    private readonly parts: OwnAlertParts,
    private readonly clock: () => number = Date.now,
  ) {
    parts.bus.on('event', (e) => this.onEvent(e));
  }

  private onEvent(e: VigilEvent): void {
    if ((e.type === 'resource.spike' || e.type === 'resource.normal') && e.container) {
      const r = resource(e.data.resource);
      if (r === null) return;
      const key = `${e.container.name}/${r}`;
      const l = level(e.data.level);
      if (e.type === 'resource.spike' && l !== null)
        this.spikes.set(key, { name: e.container.name, resource: r, level: l });
      else this.spikes.delete(key);
    } else if (e.type === 'host.spike' || e.type === 'host.normal') {
      const r = resource(e.data.resource);
      if (r === null) return;
      const l = level(e.data.level);
      if (e.type === 'host.spike' && l !== null) this.host.set(r, l);
      else this.host.delete(r);
    } else if (e.type === 'recovery.boot') {
      this.bootFailed.clear();
      for (const f of e.data.failed ?? []) if (typeof f.name === 'string') this.bootFailed.set(f.name, f.reason ?? '');
    }
  }

  facts(): OwnAlertFacts {
    const entries = this.parts.containers();
    const byName = new Map(entries.map((e) => [e.record.name, e.record]));
    // a container gone, or running again, is no longer left down
    for (const name of this.bootFailed.keys()) {
      const record = byName.get(name);
      if (!record || record.state === 'running') this.bootFailed.delete(name);
    }
    for (const [key, spike] of this.spikes) if (!byName.has(spike.name)) this.spikes.delete(key);
    return {
      gaveUp: this.parts
        .recoveryStates()
        .filter((s) => s.state.gaveUpAt !== null)
        .map((s) => ({ name: s.record.name, healthy: healthyNow(s.record) })),
      probesFailing: failingProbes(entries, this.clock()),
      spikes: [...this.spikes.values()],
      host: [...this.host].map(([r, l]) => ({ resource: r, level: l })),
      channelsFailing: this.parts
        .channels()
        .filter((c) => c.status === 'error')
        .map((c) => ({ name: c.name, lastError: c.lastError })),
      bootLeftDown: [...this.bootFailed].map(([name, reason]) => ({ name, reason })),
    };
  }
}
