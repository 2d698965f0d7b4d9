import { useState } from 'preact/hooks';
import { html, type Container } from '../html.js';
import { cpuText, memoryShare, memoryText, stateText } from '../texts.js';

/** Unhealthy first, then restarting or restarted often, then the rest. */
const rank = (c: Container) => (c.health === 'unhealthy' ? 0 : c.status === 'restarting' || c.restarts > 2 ? 1 : 2);

type SortKey = 'name' | 'status' | 'health' | 'cpu' | 'memory' | 'restarts';
const sorters: Record<SortKey, (a: Container, b: Container) => number> = {
  name: (a, b) => a.name.localeCompare(b.name),
  status: (a, b) => a.status.localeCompare(b.status),
  health: (a, b) => a.health.localeCompare(b.health),
  cpu: (a, b) => b.cpu.cores - a.cpu.cores,
  memory: (a, b) => b.memory.usageBytes - a.memory.usageBytes,
  restarts: (a, b) => b.restarts - a.restarts,
};

export function ContainersTable({ containers, open }: { containers: Container[]; open: (name: string) => void }) {
  const now = Date.now();
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<SortKey | null>(null);
  const shown = containers
    .filter((c) => `${c.name} ${c.image} ${c.status} ${c.health} ${Object.values(c.labels).join(' ')}`.includes(filter))
    .sort((a, b) => (sort ? sorters[sort](a, b) : rank(a) - rank(b) || a.name.localeCompare(b.name)));
  const header = (key: SortKey, label: string) =>
    html`<th scope="col" aria-sort=${sort === key ? 'descending' : 'none'}>
      <button type="button" onClick=${() => setSort(sort === key ? null : key)}>${label}</button>
    </th>`;
  return html`<section class="panel" aria-label="Containers">
    <h2>Containers</h2>
    <label class="filter"
      >Filter
      <input type="search" value=${filter} onInput=${(e: Event) => setFilter((e.target as HTMLInputElement).value)}
    /></label>
    <div class="scroll">
      <table class="containers">
        <thead>
          <tr>
            ${header('name', 'Name')}
            <th scope="col">Image</th>
            ${header('status', 'State')}${header('health', 'Health')}
            ${header('cpu', 'CPU')}${header('memory', 'Memory')}${header('restarts', 'Restarts')}
            <th scope="col">Labels</th>
          </tr>
        </thead>
        <tbody>
          ${shown.map(
            (c) =>
              html`<tr key=${c.id} data-container=${c.name} data-health=${c.health} class=${`health-${c.health}`}>
                <td>
                  <a
                    href=${`/containers/${encodeURIComponent(c.name)}`}
                    onClick=${(e: Event) => (e.preventDefault(), open(c.name))}
                    >${c.name}</a
                  >
                </td>
                <td class="dim" data-label="Image">${c.image}</td>
                <td data-label="State" data-testid="state">${stateText(c, now)}</td>
                <td data-label="Health"><span class=${`pill ${c.health}`}>${c.health}</span></td>
                <td data-label="CPU">${cpuText(c.cpu)}</td>
                <td data-label="Memory">
                  <span class="bar small"><span style=${`width:${memoryShare(c.memory)}%`}></span></span>
                  ${memoryText(c.memory)}
                </td>
                <td data-label="Restarts">${c.restarts}</td>
                <td
                  class="dim"
                  data-label="Labels"
                  hidden=${!Object.keys(c.labels).some((k) => k.startsWith('forge.'))}
                >
                  ${Object.entries(c.labels)
                    .filter(([k]) => k.startsWith('forge.'))
                    .map(([k, v]) => `${k.slice(6)}=${v}`)
                    .join(' ')}
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </section>`;
}
