import { useState } from 'preact/hooks';
import { html } from '../html.js';

/**
 * Stop, Start and Restart of one container, each after a confirmation. A stop here is a person's stop
 * even for a container that is already exited and waiting in its backoff: vigil will not start it again.
 */
export function ContainerActions({ name, act }: { name: string; act: (action: string) => Promise<string> }) {
  const [said, setSaid] = useState<string | null>(null);
  const ask = async (action: string) => {
    if (!confirm(`${action} ${name}?`)) return;
    setSaid(`${action}…`);
    setSaid(await act(action.toLowerCase()));
  };
  return html`<p class="actions">
    ${['Stop', 'Start', 'Restart'].map(
      (action) => html`<button type="button" onClick=${() => void ask(action)}>${action}</button> `,
    )}
    ${said ? html`<span class="dim" role="status">${said}</span>` : null}
  </p>`;
}
