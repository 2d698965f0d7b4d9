import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { containerHealth } from '../containers/health.js';
import type { Inventory, InventoryEntry } from '../docker/inventory.js';
import type { IncidentStore } from '../store/incidents.js';
import type { EventBus } from '../streams/event-bus.js';
import type { VigilEvent } from '../streams/events.js';
import { endOf, stepOf, troubleOf, withStep, type Incident } from './incident.js';

/** Closed incidents kept for GET /api/v1/incidents. */
const RECENT = 100;

/**
 * One incident per outage of a container. The first sign of trouble (unhealthy, a crash, an OOM
 * kill, a spike, a firing alert) opens it; what is seen and what vigil does after are its timeline;
 * it closes once the container runs (passing its HEALTHCHECK if it has one), with no resource over its
 * line and no new trouble for `quietMs` (or vigil gave up on it, a person stopped it, through vigil
 * or `docker stop`, or it was removed). Every event about the container while it is open carries
 * `incident: {id, seq, subject}`, so that notifications thread (mail headers, webhook payloads).
 *
 * Every step is written to the store, and what it holds is read back at start: an outage that outlives
 * a restart of vigil stays one incident, and one mail thread. A store that refuses a write costs the
 * incident its durability, never the incident.
 *
 * It must listen to the bus before the notifier does: it marks the event the notifier then reads.
 */
export class IncidentTracker extends EventEmitter<{ closed: [Incident] }> {
  private readonly open = new Map<string, Incident>();
  private readonly lastTroubleAt = new Map<string, number>();
  /**
   * The resources of each container over their line now, as the spike watch said: a spike is told
   * once, and lasts until its resource.normal, so the quiet period alone would close its incident
   * while it goes on. Not read back at start: the spike watch starts afresh too, and says again a
   * spike that still lasts.
   */
  private readonly overLine = new Map<string, Set<string>>();
  private readonly recent: Incident[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly bus: EventBus,
    private readonly inventory: Inventory,
    private readonly store: IncidentStore,
    private readonly logger: Logger,
    private readonly options: {
      quietMs: number;
      checkMs: number;
      /**
       * When a person's stop of the container was recorded (the intent tracker's desired state), or
       * null. A stop through vigil ends the incident at once (endOf); one with `docker stop` is learned
       * from the engine's events and becomes the person's only once the engine did not go away right
       * after it (its own shutdown stops every container), so it ends the incident after `settleMs`.
       */
      personStoppedAt?: (record: InventoryEntry['record']) => number | null;
      settleMs?: number;
    },
    private readonly clock: () => number = Date.now,
  ) {
    super();
    try {
      for (const incident of store.open()) {
        this.open.set(incident.container.name, incident);
        // the quiet period counts from the last trouble seen, before the restart too
        const seen = incident.timeline.filter((step) => step.kind === 'seen');
        const lastSeen = seen.at(-1)?.at ?? incident.openedAt;
        this.lastTroubleAt.set(incident.container.name, Date.parse(lastSeen));
      }
      this.recent.push(...store.recent(RECENT).reverse());
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'incidents could not be read back; new ones start afresh');
    }
  }

  start(): void {
    // first of all listeners: the notifier, SSE and NATS read the incident it sets on the event
    this.bus.prependListener('event', this.observe);
    this.timer = setInterval(() => this.closeQuiet(), this.options.checkMs);
    this.timer.unref();
  }

  stop(): void {
    this.bus.off('event', this.observe);
    if (this.timer) clearInterval(this.timer);
  }

  list(): { open: Incident[]; recent: Incident[] } {
    return { open: [...this.open.values()], recent: [...this.recent].reverse() };
  }

  private readonly observe = (event: VigilEvent): void => {
    const name = event.container?.name;
    if (!name || event.type.startsWith('incident.')) return;
    this.noteSpike(name, event);
    const trouble = troubleOf(event);
    let incident = this.open.get(name);
    if (trouble !== null) {
      this.lastTroubleAt.set(name, this.clock());
      const { what, concern } = trouble;
      incident = incident
        ? withStep(incident, event.time, 'seen', what, concern)
        : {
            ...{ id: randomBytes(4).toString('hex'), container: event.container!, subject: `${name}: ${what}` },
            ...{ openedAt: event.time, closedAt: null, outcome: 'open' as const, seq: 1 },
            timeline: [{ at: event.time, seq: 1, kind: 'seen' as const, what, concern }],
          };
    } else if (incident) {
      const step = stepOf(event, incident);
      if (step) incident = withStep(incident, event.time, step.kind, step.what, step.concern);
    }
    if (!incident) return;
    this.open.set(name, incident);
    this.save(incident);
    event.incident = { id: incident.id, seq: incident.seq, subject: incident.subject };
    const end = endOf(event);
    if (end !== null) this.close(name, end);
  };

  private closeQuiet(): void {
    const now = this.clock();
    for (const name of this.open.keys()) {
      const entry = this.inventory.all().find((e) => e.record.name === name);
      if (!entry) {
        this.close(name, 'removed');
        continue;
      }
      if (entry.record.state !== 'running') {
        const stoppedAt = this.options.personStoppedAt?.(entry.record) ?? null;
        if (stoppedAt !== null && now - stoppedAt >= (this.options.settleMs ?? 0)) this.close(name, 'stopped');
        continue;
      }
      // healthy: with a HEALTHCHECK, passing it (not merely starting); without one, running
      const fine = containerHealth(entry) === 'healthy' && !this.overLine.get(name)?.size;
      if (fine && now - (this.lastTroubleAt.get(name) ?? 0) >= this.options.quietMs) this.close(name, 'recovered');
    }
  }

  private noteSpike(name: string, event: VigilEvent): void {
    if (event.type === 'resource.spike') {
      const resources = this.overLine.get(name) ?? new Set();
      this.overLine.set(name, resources.add(event.data.resource));
    } else if (event.type === 'resource.normal') {
      // the quiet period starts when the spike ends: the resource was over its line until now
      if (this.overLine.get(name)?.delete(event.data.resource)) this.lastTroubleAt.set(name, this.clock());
    } else if (event.type === 'container.state' && event.data.to === 'removed') {
      this.overLine.delete(name);
    }
  }

  private close(name: string, outcome: Exclude<Incident['outcome'], 'open'>): void {
    const incident = this.open.get(name);
    if (!incident) return;
    this.open.delete(name);
    this.lastTroubleAt.delete(name);
    const closed: Incident = { ...incident, closedAt: new Date(this.clock()).toISOString(), outcome };
    this.recent.push(closed);
    if (this.recent.length > RECENT) this.recent.shift();
    this.save(closed);
    const durationSeconds = (Date.parse(closed.closedAt!) - Date.parse(closed.openedAt)) / 1000;
    this.bus.publish({
      type: 'incident.closed',
      container: closed.container,
      data: { id: closed.id, outcome, durationSeconds, steps: closed.timeline.length },
      incident: { id: closed.id, seq: closed.seq + 1, subject: closed.subject },
    });
    this.emit('closed', closed);
  }

  private save(incident: Incident): void {
    try {
      this.store.put(incident);
    } catch (err) {
      this.logger.warn(
        { err: (err as Error).message, incident: incident.id },
        'the store refused an incident step; it is kept in memory',
      );
    }
  }
}
