import type { EventInput } from '../streams/events.js';
import { probeFailureReason } from '../probes/state.js';
import { containerHealth, exitCauseOf, healthSource, type HealthFacts } from './health.js';

/**
 * Pure: the events one change of a container makes — a state change (with why it exited) and a
 * health transition (from its HEALTHCHECK, or inferred from its state). `before` is undefined for a
 * container seen for the first time, `after` undefined for one removed.
 */
export function containerTransitions(
  before: HealthFacts | undefined,
  after: HealthFacts | undefined,
): EventInput<'container.state' | 'container.health'>[] {
  const record = (after ?? before)?.record;
  if (!record) return [];
  const container = { id: record.shortId, name: record.name };
  const events: EventInput<'container.state' | 'container.health'>[] = [];
  const fromState = before?.record.state ?? null;
  const toState = after?.record.state ?? 'removed';
  if (fromState !== toState) {
    events.push({
      type: 'container.state',
      container,
      data: {
        from: fromState,
        to: toState,
        ...(after && (toState === 'exited' || toState === 'dead')
          ? { exitCode: after.record.exitCode, oomKilled: after.record.oomKilled, cause: exitCauseOf(after) }
          : {}),
      },
    });
  }
  const fromHealth = before ? containerHealth(before) : null;
  const toHealth = after ? containerHealth(after) : null;
  if (after && fromHealth !== toHealth) {
    const { health } = after.record;
    const running = after.record.state === 'running';
    const source = running ? healthSource(after) : 'state';
    const probe = source === 'probe' ? after.probe : null;
    const probeReason = probe ? probeFailureReason(probe, Date.now()) : null;
    events.push({
      type: 'container.health',
      container,
      data: {
        from: fromHealth,
        to: toHealth,
        source,
        ...(health ? { failingStreak: health.failingStreak, lastOutput: health.log.at(-1)?.output.trim() ?? '' } : {}),
        ...(probe?.exec
          ? { failingStreak: probe.exec.failingStreak, lastOutput: probe.exec.last?.output.trim() ?? '' }
          : {}),
        ...(probeReason ? { reason: probeReason } : {}),
      },
    });
  }
  return events;
}
