import { html, type Alert } from '../html.js';

export function AlertsPanel({
  alerts,
  resolved,
  acknowledge,
}: {
  alerts: Alert[];
  resolved: Alert[];
  acknowledge: (a: Alert) => Promise<void>;
}) {
  const order = ['critical', 'warning', 'info'];
  const sorted = [...alerts].sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity));
  return html`<section class="panel" aria-label="Alerts">
    <h2>Alerts</h2>
    ${sorted.length === 0 ? html`<p class="dim">No alert is firing.</p>` : null}
    <ul class="list">
      ${sorted.map(
        (a) =>
          html`<li key=${a.id} data-alert=${a.alertname} class=${a.acknowledged ? 'acknowledged' : ''}>
            <span class=${`pill ${a.severity}`}>${a.severity}</span>
            <strong>${a.alertname}</strong>${a.container ? ` on ${a.container}` : ''}${a.summary ? ': ' : ''}<span
              class="dim"
              >${a.summary ?? ''}</span
            >
            ${
              a.acknowledged
                ? html` <span class="dim">acknowledged by ${a.acknowledgedBy}</span>`
                : html` <button type="button" onClick=${() => void acknowledge(a)}>Acknowledge</button>`
            }
          </li>`,
      )}
    </ul>
    ${
      resolved.length > 0
        ? html`<h3 class="dim">Resolved</h3>
            <ul class="list">
              ${resolved.map(
                (a) =>
                  html`<li key=${`r-${a.id}`} class="resolved" data-resolved=${a.alertname}>
                    <span class=${`pill ${a.severity}`}>${a.severity}</span>
                    <strong>${a.alertname}</strong> ${a.container ? html` on ${a.container}` : null}
                    <span class="dim">resolved ${(a.resolvedAt ?? '').slice(11, 19)}</span>
                  </li>`,
              )}
            </ul>`
        : null
    }
  </section>`;
}
