import { useState } from 'preact/hooks';
import { html, type Channel } from '../html.js';

/** The channels' delivery health, as the live socket tells it, each with a test to send. */
export function ChannelsPanel({ channels, test }: { channels: Channel[]; test: (name: string) => Promise<string> }) {
  const [results, setResults] = useState<Record<string, string>>({});
  return html`<section class="panel" aria-label="Channels">
    <h2>Channels</h2>
    ${channels.length === 0 ? html`<p class="dim">No notification channel is configured.</p>` : null}
    <ul class="list">
      ${channels.map(
        (c) =>
          html`<li key=${c.name} data-channel=${c.name}>
            <span class=${`dot ${c.errorRate > 0.5 ? 'bad' : 'ok'}`}></span> <strong>${c.name}</strong>
            <span class="dim">${c.type}</span>
            · sent ${c.sent} · pending ${c.pending} ·
            ${c.lastSuccessAt === null ? 'no delivery yet' : `last delivered ${c.lastSuccessAt.slice(11, 19)} in ${c.latencyMs ?? '?'} ms`}
            ${c.lastError ? html` · <span class="dim">last error: ${c.lastError}</span>` : null}
            <button type="button" onClick=${async () => setResults({ ...results, [c.name]: await test(c.name) })}>
              Send test
            </button>
            <span role="status" class="result">${results[c.name] ?? ''}</span>
          </li>`,
      )}
    </ul>
  </section>`;
}
