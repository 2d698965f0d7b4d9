import type { ContainerRecord } from '../docker/types.js';
import type { VigilEventInput } from '../streams/event-bus.js';
import { effectiveHealth } from './health.js';

/**
 * Pure: the events one change of a container's record makes — a state change and a health
 * transition (from its HEALTHCHECK, or inferred from its state). `before` is undefined for a container
 * seen for the first time, `after` undefined for one removed.
 */
export function containerTransitions(
  before: ContainerRecord | undefined,
  after: ContainerRecord | undefined,
): VigilEventInput[] {
  const record = after ?? before;
  if (!record) return [];
  const container = { id: record.shortId, name: record.name };
  const events: VigilEventInput[] = [];
  const fromState = before?.state ?? null;
  const toState = after?.state ?? 'removed';
  if (fromState !== toState) {
    events.push({
      type: 'container.state',
      container,
      data: {
        from: fromState,
        to: toState,
        ...(after && (toState === 'exited' || toState === 'dead')
          ? { exitCode: after.exitCode, oomKilled: after.oomKilled }
          : {}),
      },
    });
  }
  const fromHealth = before ? effectiveHealth(before) : null;
  const toHealth = after ? effectiveHealth(after) : null;
  if (after && fromHealth !== toHealth) {
    events.push({
      type: 'container.health',
      container,
      data: {
        from: fromHealth,
        to: toHealth,
        source: after.health ? 'healthcheck' : 'state',
        ...(after.health
          ? { failingStreak: after.health.failingStreak, lastOutput: after.health.log.at(-1)?.output.trim() ?? '' }
          : {}),
      },
    });
  }
  return events;
}
