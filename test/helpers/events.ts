import type { ContainerRef, EventInput, EventOfType, VigilEvent, VigilEventType } from '../../src/streams/events.js';

/** The data of one event type with only the fields a test sets: names and types still checked. */
export type SomeData<T extends VigilEventType> = Partial<EventOfType<T>['data']>;

/**
 * An event of one type carrying only the fields a test cares about, as the code under test must bear
 * them missing. The field names and their types are checked against the union; only their absence is not.
 */
export function someEvent<T extends VigilEventType>(
  type: T,
  data: SomeData<T>,
  container?: ContainerRef,
): EventInput<T> {
  return { type, ...(container ? { container } : {}), data } as unknown as EventInput<T>;
}

/** The same, as the bus delivers it: with its id and time (and a container, host or incident if given). */
export function someDelivered<T extends VigilEventType>(
  type: T,
  data: SomeData<T>,
  envelope: Pick<VigilEvent, 'id' | 'time' | 'container' | 'host' | 'incident'>,
): EventOfType<T> {
  return { ...envelope, type, data } as unknown as EventOfType<T>;
}
