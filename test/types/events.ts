// A test of the type checker, not of code: `npm run typecheck` compiles this file (tsconfig includes
// test/), and each `@ts-expect-error` fails the check when the line below it stops being an error. So
// an event field renamed on the publishing side only, or on the reading side only, fails `tsc` here and
// at every publisher and reader. Nothing here runs: the functions are never called.
import type { EventBus } from '../../src/streams/event-bus.js';
import { isEvent, type VigilEvent } from '../../src/streams/events.js';
import { messageBuilders } from '../../src/notify/messages/index.js';

const container = { id: 'abc123def456', name: 'web' };

export function publishers(bus: EventBus): void {
  // the shapes the bus takes
  bus.publish({ type: 'recovery.gave_up', container, data: { reason: 'crashed', attempts: 5 } });
  bus.publish({
    type: 'host.normal',
    data: {
      resource: 'cpu',
      level: 'normal',
      previous: 'warning',
      value: 3,
      warn: 80,
      crit: 95,
      forSeconds: 30,
      notify: true,
    },
  });

  // @ts-expect-error a misspelled field (attempt for attempts)
  bus.publish({ type: 'recovery.gave_up', container, data: { reason: 'crashed', attempt: 5 } });
  // @ts-expect-error a field of the wrong type
  bus.publish({ type: 'recovery.gave_up', container, data: { reason: 'crashed', attempts: '5' } });
  // @ts-expect-error a field left out
  bus.publish({ type: 'recovery.gave_up', container, data: { reason: 'crashed' } });
  // @ts-expect-error a type no one declared
  bus.publish({ type: 'recovery.gaveup', container, data: { reason: 'crashed', attempts: 5 } });
  bus.publish({
    type: 'alert',
    data: {
      // @ts-expect-error a value outside its set
      status: 'pending',
      alertname: 'A',
      severity: 'info',
      fingerprint: 'f',
      startsAt: 's',
      summary: '',
      description: '',
      labels: {},
      vigil: { action: null, note: '' },
    },
  });
  // @ts-expect-error an event about a container must name it
  bus.publish({ type: 'container.state', data: { from: 'running', to: 'exited' } });
  // @ts-expect-error an event about the host names no container
  bus.publish({ type: 'recovery.boot', container, data: {} as never });
  // @ts-expect-error the bus sets the id and the time, not the publisher
  bus.publish({ id: 1, type: 'recovery.report', container, data: { reason: 'r' } });
}

export function readers(event: VigilEvent): string {
  // @ts-expect-error a field no event type shares cannot be read before the type is known
  void event.data.attempts;
  if (event.type === 'recovery.gave_up') {
    // @ts-expect-error a field that does not exist on this type
    void event.data.attempt;
    return `${event.data.attempts}`;
  }
  if (event.type === 'container.health') {
    // @ts-expect-error a field of another type (container.state's exitCode)
    void event.data.exitCode;
    return event.data.source;
  }
  return '';
}

export function narrowed(events: VigilEvent[]): number[] {
  // @ts-expect-error isEvent narrows to the one type: its fields only
  void events.filter(isEvent('resource.spike')).map((e) => e.data.value);
  return events.filter(isEvent('resource.spike')).map((e) => e.data.percent);
}

export function builders(): void {
  const gaveUp = { id: 1, time: 't', type: 'recovery.gave_up' as const, container, data: { reason: 'r', attempts: 1 } };
  // @ts-expect-error the builder of one type does not take an event of another
  messageBuilders['recovery.cycle'](gaveUp, { at: 't', links: [] });
  messageBuilders['recovery.gave_up'](gaveUp, { at: 't', links: [] });
}
