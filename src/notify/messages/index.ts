import type { EventOfType, VigilEventType } from '../../streams/events.js';
import type { MessageBase, Notification } from '../notification.js';
import { alertMessage } from './alert.js';
import { bootMessage } from './boot.js';
import { exitMessage, unhealthyMessage } from './container.js';
import { incidentClosedMessage } from './incident.js';
import { personActionMessage } from './person-action.js';
import { cleanupMessage, cycleMessage, dependantsMessage, gaveUpMessage, recoveredMessage } from './recovery.js';
import { hostNormalMessage, hostSpikeMessage, resourceNormalMessage, resourceSpikeMessage } from './spike.js';

/** The notification one event calls for, if any. */
export type MessageBuilder<T extends VigilEventType> = (
  event: EventOfType<T>,
  base: MessageBase,
) => Notification | null;

/** Events that are never news on their own: streams carry them, people are not told. */
const notNews = (): null => null;

/** The message builder of every event type: a type added to the union and missing here fails the type check. */
export const messageBuilders: { [T in VigilEventType]: MessageBuilder<T> } = {
  'container.health': unhealthyMessage,
  'container.state': exitMessage,
  alert: alertMessage,
  'alert.acknowledged': notNews,
  'recovery.started': notNews,
  // a person's action carries who asked (`by`): a change they made, not a recovery by vigil
  'recovery.action': (event, base) =>
    event.data.by !== undefined ? personActionMessage(event, base) : recoveredMessage(event, base),
  'recovery.gave_up': gaveUpMessage,
  'recovery.report': notNews,
  'recovery.skipped': notNews,
  'recovery.cleanup': cleanupMessage,
  'recovery.boot': bootMessage,
  'recovery.dependants': dependantsMessage,
  'recovery.cycle': cycleMessage,
  'incident.closed': incidentClosedMessage,
  'resource.spike': resourceSpikeMessage,
  'resource.normal': resourceNormalMessage,
  'host.spike': hostSpikeMessage,
  'host.normal': hostNormalMessage,
};
