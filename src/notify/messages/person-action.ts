import type { RecoveryActionEvent } from '../../streams/events.js';
import type { MessageBase, Notification } from '../notification.js';

type ActionName = RecoveryActionEvent['data']['action'];

const done: Record<ActionName, string> = {
  stop: 'stopped',
  start: 'started',
  restart: 'restarted',
  recreate: 'recreated',
  pull: 'pulled',
};

/**
 * A person's stop, start or restart through vigil's API or page. It is no recovery (vigil did not
 * decide it, and it moves no backoff), so it is never told as one: it is a change to the container
 * that whoever else watches it should hear of, since its stop alone is not news (a person's stop is
 * no crash) and vigil then leaves the container down. Its own channel event (`action`), at `info`,
 * so a channel that pages (minSeverity warning) is not woken by it; a failure is `warning`, as the
 * container may be left other than the person wanted.
 */
export function personActionMessage(event: RecoveryActionEvent, base: MessageBase): Notification {
  const c = event.container;
  const { action, outcome, error, by } = event.data;
  const where = by === 'page' ? "vigil's page" : "vigil's API";
  const through = by === 'page' ? 'page' : 'API';
  if (outcome === 'success') {
    return {
      ...base,
      key: `action/${c.name}/${event.id}`,
      event: 'action',
      severity: 'info',
      title: `${c.name} ${done[action]} by a person (${through})`,
      text: `A person ${done[action]} ${c.name} (${c.id}) through ${where}.${
        action === 'stop' ? ' vigil leaves it stopped until a person starts it.' : ''
      }`,
    };
  }
  return {
    ...base,
    key: `action/${c.name}/${event.id}`,
    event: 'action',
    severity: 'warning',
    title: `${c.name}: a person's ${action} failed (${through})`,
    text: `A person asked ${where} to ${action} ${c.name} (${c.id}); the engine refused${error ? `: ${error}` : ''}.`,
  };
}
