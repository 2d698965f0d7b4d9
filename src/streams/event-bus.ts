import { EventEmitter } from 'node:events';
import type { VigilEvent, VigilEventInput } from './events.js';

// the shapes are defined once, in events.ts; importers of the bus find them here too
export type { IncidentRef, VigilEvent, VigilEventInput } from './events.js';

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
