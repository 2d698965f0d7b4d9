import type { ContainerEvent, ContainerEventAction, ContainerState } from '../docker/types.js';
import type { EventInput } from '../streams/events.js';
import { exitCause } from './health.js';

export type StateOrRemoved = ContainerState | 'removed';

/** Pure: the state the engine's event puts a container in, or null for an event that changes none. */
export function stateAfter(action: ContainerEventAction): StateOrRemoved | null {
  switch (action) {
    case 'create':
      return 'created';
    case 'start':
    case 'restart':
    case 'unpause':
      return 'running';
    case 'die':
      return 'exited';
    case 'pause':
      return 'paused';
    case 'destroy':
      return 'removed';
    default:
      return null;
  }
}

/** What vigil last said of a container's state, and what the events since then imply. */
export interface KnownState {
  /** Null until vigil has told any state of it (only an `oom` has come). */
  state: StateOrRemoved | null;
  /** An `oom` event came since the last start: the `die` that follows is an OOM kill. */
  oomPending: boolean;
  /** The engine's time of the last kill it delivered since the last start: the exit after it is a stop. */
  killedAt?: Date | null;
}

const eventTime = (event: ContainerEvent) => new Date(Number(event.timeNano / 1_000_000n));

/**
 * Pure: the state transition one engine event makes, and what is known after it. `fallback` is the
 * state the inventory holds for a container vigil has not yet said anything of (one found at start).
 * The transition is the event's own: its status, id, name, exit code and order, never a later
 * inspection that may have coalesced several events into one answer.
 */
export function eventTransition(
  known: KnownState | undefined,
  event: ContainerEvent,
  fallback: ContainerState | null = null,
  watchedSince: Date | null = null,
): { known: KnownState | undefined; transition: EventInput<'container.state'> | null } {
  const base: KnownState = known ?? { state: null, oomPending: false };
  if (event.action === 'oom') return { known: { ...base, oomPending: true }, transition: null };
  if (event.action === 'kill') return { known: { ...base, killedAt: eventTime(event) }, transition: null };
  const to = stateAfter(event.action);
  if (to === null) return { known, transition: null };
  const from = base.state ?? fallback;
  const ended = to === 'exited' || to === 'running';
  const after: KnownState = {
    state: to,
    oomPending: ended ? false : base.oomPending,
    killedAt: ended ? null : (base.killedAt ?? null),
  };
  if (from === to) return { known: after, transition: null };
  const transition: EventInput<'container.state'> = {
    type: 'container.state',
    container: { id: event.id.slice(0, 12), name: event.name || event.attributes.name || event.id.slice(0, 12) },
    data: {
      from: from === 'removed' ? null : from,
      to,
      ...(to === 'exited'
        ? {
            exitCode: event.exitCode ?? null,
            oomKilled: base.oomPending,
            exitedAt: eventTime(event).toISOString(),
            // the one judgement of health.ts: a kill just before the exit makes it a stop, not a crash
            cause: exitCause({
              exitCode: event.exitCode ?? null,
              oomKilled: base.oomPending,
              finishedAt: eventTime(event),
              stopRequestedAt: base.killedAt ?? null,
              watchedSince,
            }),
          }
        : {}),
    },
  };
  return { known: after, transition };
}

/** Removed containers remembered, so that the inventory's removal and the engine's `destroy` are told once. */
const REMEMBERED_REMOVALS = 1000;

/**
 * Every container state the engine reports, published in the engine's order as it reports it. The
 * inventory's inspections (which coalesce events under load) only say what vigil finds at start or
 * after a reconnection: a container not yet told of, or one gone without a `destroy` seen. At 6.4
 * engine operations a second, a diff of inspections lost 15 % of the transitions and lagged 20 s.
 */
export class StateTransitions {
  private readonly known = new Map<string, KnownState>();
  private readonly removed = new Set<string>();

  constructor(
    private readonly publish: (event: EventInput<'container.state'>) => void,
    /** When vigil began watching: an exit before then (replayed from the engine) it did not see happen. */
    private readonly watchedSince: Date = new Date(),
  ) {}

  /** An engine event; `fallback` is the inventory's state of a container not yet told of. */
  onEvent(event: ContainerEvent, fallback: ContainerState | null): void {
    if (this.removed.has(event.id)) return;
    const { known, transition } = eventTransition(this.known.get(event.id), event, fallback, this.watchedSince);
    this.remember(event.id, known);
    if (transition) this.publish(transition);
  }

  /** The inventory found a container: told as new only when no event has told of it. */
  onFound(container: { id: string; shortId: string; name: string; state: ContainerState }): void {
    const known = this.known.get(container.id);
    if ((known && known.state !== null) || this.removed.has(container.id)) return;
    this.known.set(container.id, {
      state: container.state,
      oomPending: known?.oomPending ?? false,
      killedAt: known?.killedAt ?? null,
    });
    this.publish({
      type: 'container.state',
      container: { id: container.shortId, name: container.name },
      data: { from: null, to: container.state },
    });
  }

  /** The inventory lost a container: told as removed unless the engine's `destroy` already was. */
  onLost(container: { id: string; shortId: string; name: string; state: ContainerState }): void {
    if (this.removed.has(container.id)) return;
    const from = this.known.get(container.id)?.state ?? container.state;
    this.remember(container.id, { state: 'removed', oomPending: false });
    this.publish({
      type: 'container.state',
      container: { id: container.shortId, name: container.name },
      data: { from: from === 'removed' ? null : from, to: 'removed' },
    });
  }

  private remember(id: string, known: KnownState | undefined): void {
    if (!known) return;
    if (known.state !== 'removed') {
      this.known.set(id, known);
      return;
    }
    this.known.delete(id);
    this.removed.add(id);
    if (this.removed.size > REMEMBERED_REMOVALS) this.removed.delete(this.removed.values().next().value!);
  }
}
