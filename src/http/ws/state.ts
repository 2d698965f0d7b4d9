import type { RawData } from 'ws';
import type { ContainersSource } from '../../containers/source.js';
import { containerStats, containerSummary, healthSummary } from '../../containers/view.js';
import { systemSummary } from '../../containers/system.js';
import { serverMessage } from './protocol.js';

export interface StateSources {
  containers: ContainersSource;
  alertCounts: () => Record<string, number>;
  alerts: () => unknown;
  channels: () => unknown;
}

/**
 * The state every subscriber gets after a sweep: the `health:update` message, encoded once, and the
 * containers' stats, encoded per filter by the hub.
 */
export function liveState(sources: StateSources): { health: string; stats: ReturnType<typeof containerStats>[] } {
  const { containers } = sources;
  const context = containers.context();
  const entries = containers.containers();
  const summaries = entries.map((e) => containerSummary(e, containers.snapshot(e), context));
  const health = serverMessage('health:update', {
    containers: healthSummary(summaries, context),
    system: systemSummary(entries, sources.alertCounts(), context, containers.system),
    channels: sources.channels(),
    alerts: sources.alerts(),
  });
  const stats = entries
    .filter((e) => containers.snapshot(e))
    .map((e) => containerStats(e, containers.snapshot(e), context));
  return { health, stats };
}

/** A client's message as text, whatever frames it came in. */
export function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8');
}
