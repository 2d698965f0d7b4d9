/** Pure: why a heartbeat is stale (older than three intervals), or null while it is fresh. */
export function staleness(what: string, lastAt: number, now: number, intervalMs: number): string | null {
  const age = now - lastAt;
  if (age <= 3 * intervalMs) return null;
  return `${what} ${Math.round(age / 1000)} s ago, more than three intervals (${(3 * intervalMs) / 1000} s)`;
}

/** What liveness listens to: the sampler's sweeps, the engine's event stream (events, connections, answered pings). */
export interface LivenessParts {
  events: {
    connected: boolean;
    on(event: 'connected' | 'event' | 'disconnected' | 'alive', listener: () => void): unknown;
  };
  sampler: { on(event: 'sweep', listener: () => void): unknown };
  intervalMs: number;
}

/**
 * When vigil last swept and last heard from the engine's event stream, and whether both are live:
 * what readiness, vigil_last_sweep_timestamp_seconds and vigil_engine_last_event_timestamp_seconds,
 * and systemd's watchdog are told. Until the first sweep or contact, the start counts as one.
 */
export class Liveness {
  readonly startedAt: number;
  private sweepAt: number | null = null;
  private contactAt: number | null = null;

  constructor(
    private readonly parts: LivenessParts,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
    const contact = () => void (this.contactAt = this.now());
    for (const event of ['connected', 'event', 'disconnected', 'alive'] as const) parts.events.on(event, contact);
    parts.sampler.on('sweep', () => void (this.sweepAt = this.now()));
  }

  /** Milliseconds since the epoch of the last sweep's end; null before the first. */
  get lastSweepAt(): number | null {
    return this.sweepAt;
  }

  /** Of the last sign of life of the event stream: an event, its (dis)connection, an answered ping. */
  get lastEventAt(): number | null {
    return this.contactAt;
  }

  /** Why the sweeps are stalled (none for three intervals), or null. */
  sweepProblem(): string | null {
    return staleness('last sampling sweep', this.sweepAt ?? this.startedAt, this.now(), this.parts.intervalMs);
  }

  /** Why the event stream is stalled (closed, and no contact for three intervals), or null. */
  eventsProblem(): string | null {
    if (this.parts.events.connected) return null;
    const last = this.contactAt ?? this.startedAt;
    return staleness("last contact with the engine's event stream", last, this.now(), this.parts.intervalMs);
  }

  /** Both live: what systemd's watchdog is pinged on. */
  live(): boolean {
    return this.sweepProblem() === null && this.eventsProblem() === null;
  }
}
