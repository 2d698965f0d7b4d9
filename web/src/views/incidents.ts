import type { Incident } from '../../../src/http/api-types.js';
import { html } from '../html.js';
import { ago } from '../texts.js';

/** Incidents open now and the latest closed ones, each with its timeline. */
export function IncidentsPanel({ open, recent }: { open: Incident[]; recent: Incident[] }) {
  const now = Date.now();
  const item = (i: Incident) =>
    html`<li key=${i.id} data-incident=${i.outcome}>
      <details open=${i.outcome === 'open'}>
        <summary>
          <span
            class=${`pill ${i.outcome === 'open' ? 'unhealthy' : i.outcome === 'recovered' ? 'healthy' : 'warning'}`}
            >${i.outcome.replace('_', ' ')}</span
          >
          ${i.subject.startsWith(i.container.name) ? null : html`<strong>${i.container.name}</strong> `}${i.subject}
          <span class="dim"
            >${
              i.closedAt
                ? `opened ${ago(now - Date.parse(i.openedAt))} ago, lasted ${ago(Date.parse(i.closedAt) - Date.parse(i.openedAt))}`
                : `open for ${ago(now - Date.parse(i.openedAt))}`
            }</span
          >
        </summary>
        <ol class="timeline">
          ${i.timeline.map(
            (s) => html`<li class=${s.kind}><time class="dim">${s.at.slice(11, 19)}</time> ${s.kind}: ${s.what}</li>`,
          )}
        </ol>
      </details>
    </li>`;
  return html`<section class="panel" aria-label="Incidents">
    <h2>Incidents <span class="dim">${open.length} open</span></h2>
    ${open.length + recent.length === 0 ? html`<p class="dim">No incident yet.</p>` : null}
    <ul class="list">
      ${open.map(item)}${recent.map(item)}
    </ul>
  </section>`;
}
