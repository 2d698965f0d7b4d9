import { EventEmitter } from 'node:events';

/** One thing that happened, as /api/v1/events and NATS carry it. */
export interface VigilEvent {
  /** The vigil's host (VIGIL_HOST): events from a fleet can be followed together and told apart. */
  host?: string;
  /** Increasing, and across restarts too (seeded from the clock); SSE clients resume with Last-Event-ID. */
  id: number;
  type: string;
  time: string;
  container?: { id: string; name: string };
  data: Record<string, unknown>;
  /** The open incident of its container, if any (src/incidents): notifications about it thread on it. */
  incident?: IncidentRef;
}

export interface IncidentRef {
  id: string;
  /** The step of the incident this event is. */
  seq: number;
  subject: string;
}

export type VigilEventInput = Omit<VigilEvent, 'id' | 'time'>;

/**
 * The in-process event bus: every producer publishes here, every stream reads here. A bounded ring
 * keeps the latest events so that a client that reconnects can resume without a gap.
 */
export class EventBus extends EventEmitter<{ event: [VigilEvent] }> {
  private nextId: number;
  private readonly ring: VigilEvent[] = [];

  constructor(
    private readonly capacity = 1000,
    firstId = Date.now() * 1000,
    private readonly host?: string,
  ) {
    super();
    // a client that saw ids of an earlier run of vigil holds smaller ids, so it is told of its gap
    this.nextId = firstId;
    // one listener per SSE client and stream: more than ten is normal, not a leak
    this.setMaxListeners(0);
  }

  publish(input: VigilEventInput, now: Date = new Date()): VigilEvent {
    const event: VigilEvent = { id: this.nextId++, time: now.toISOString(), ...input };
    if (this.host !== undefined) event.host = this.host;
    this.ring.push(event);
    if (this.ring.length > this.capacity) this.ring.shift();
    this.emit('event', event);
    return event;
  }

  /**
   * Events after `lastId`, oldest first. `complete` is false when some of them have already left
   * the ring (the client was away too long), so the client knows it missed events.
   */
  since(lastId: number): { events: VigilEvent[]; complete: boolean } {
    const oldest = this.ring[0]?.id ?? this.nextId;
    if (lastId >= this.nextId) return { events: [...this.ring], complete: false }; // not an id this bus gave
    return { events: this.ring.filter((e) => e.id > lastId), complete: lastId >= oldest - 1 };
  }
}
