import { html, type FeedEvent } from '../html.js';
import { feedText } from '../texts.js';

/** The live feed: what happened, newest as it comes, filled from vigil's recent events on load. */
export function Feed({ events }: { events: FeedEvent[] }) {
  return html`<section class="panel" aria-label="Live feed">
    <h2>Live feed</h2>
    <ol class="list feed" aria-live="polite">
      ${events.map(
        (e) =>
          html`<li key=${e.id}>
            <time class="dim">${e.time.slice(11, 19)}</time
            >${' '}<strong>${e.container?.name ?? ''}</strong>${' '}${feedText(e)}
          </li>`,
      )}
    </ol>
  </section>`;
}
