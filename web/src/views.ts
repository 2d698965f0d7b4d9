import { h, type ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import htm from 'htm';
import { feedText, type FeedEvent } from './texts.js';

export type { FeedEvent } from './texts.js';

export const html = htm.bind(h);

export interface Container {
  id: string;
  name: string;
  image: string;
  status: string;
  health: string;
  uptime: string;
  restarts: number;
  labels: Record<string, string>;
  resources: { cpuPercent: number; memoryUsageMB: number; memoryLimitMB: number; memoryPercent: number };
}
export interface Channel {
  name: string;
  type: string;
  sent: number;
  failed: number;
  pending: number;
  errorRate: number;
  latencyMs: number | null;
  lastSuccessAt: string | null;
  lastError: string | null;
}
export interface System {
  engine?: { version: string | null };
  host: { name: string; cpus: number; cpuPercent: number; memoryPercent: number; memoryTotalBytes: number };
  containers: Record<string, number>;
  alerts: { total: number; bySeverity: Record<string, number> };
  notifications?: { pending: number; oldestPendingSeconds: number };
}
export interface Alert {
  id: string;
  alertname: string;
  severity: string;
  container: string | null;
  since: string;
  summary: string | null;
  acknowledged: boolean;
  acknowledgedBy: string | null;
  resolvedAt?: string;
}

const rank = (c: Container) => (c.health === 'unhealthy' ? 0 : c.status === 'restarting' || c.restarts > 2 ? 1 : 2);

export function Gauge({ label, percent }: { label: string; percent: number }) {
  const p = Math.max(0, Math.min(100, percent));
  return html`<div
    class="gauge"
    role="meter"
    aria-label=${label}
    aria-valuemin="0"
    aria-valuemax="100"
    aria-valuenow=${Math.round(p)}
  >
    <span class="gauge-label">${label}</span><span class="gauge-value">${p.toFixed(0)} %</span>
    <span class="bar"><span style=${`width:${p}%`} class=${p > 90 ? 'hot' : p > 70 ? 'warm' : ''}></span></span>
  </div>`;
}

/** One small line: what waits in vigil's outbox. */
export function queueLine(queue: System['notifications']): string {
  return `notifications queued: ${queue?.pending ?? 0} (oldest ${queue?.oldestPendingSeconds ?? 0}s)`;
}

export function HostPanel({ system, live, engine }: { system: System | null; live: boolean; engine: string }) {
  const c = system?.containers ?? {};
  return html`<section class="panel host" aria-label="Host">
    <${Gauge} label="CPU" percent=${system?.host.cpuPercent ?? 0} />
    <${Gauge} label="Memory" percent=${system?.host.memoryPercent ?? 0} />
    <dl class="counts">
      <div>
        <dt>Running</dt>
        <dd data-testid="running">${c.running ?? 0}</dd>
      </div>
      <div>
        <dt>Stopped</dt>
        <dd>${(c.exited ?? 0) + (c.created ?? 0) + (c.dead ?? 0)}</dd>
      </div>
      <div>
        <dt>Alerts</dt>
        <dd>${system?.alerts.total ?? 0}</dd>
      </div>
    </dl>
    <p class="state">
      <span class=${live ? 'dot ok' : 'dot bad'}></span>${live ? 'live' : 'reconnecting…'} · ${engine}
      ${system?.engine?.version ? ` · Docker ${system.engine.version}` : ''}
    </p>
    <p class="state" data-testid="queue">${queueLine(system?.notifications)}</p>
  </section>`;
}

type SortKey = 'name' | 'status' | 'health' | 'cpu' | 'memory' | 'restarts';
const sorters: Record<SortKey, (a: Container, b: Container) => number> = {
  name: (a, b) => a.name.localeCompare(b.name),
  status: (a, b) => a.status.localeCompare(b.status),
  health: (a, b) => a.health.localeCompare(b.health),
  cpu: (a, b) => b.resources.cpuPercent - a.resources.cpuPercent,
  memory: (a, b) => b.resources.memoryPercent - a.resources.memoryPercent,
  restarts: (a, b) => b.restarts - a.restarts,
};

export function ContainersTable({ containers, open }: { containers: Container[]; open: (name: string) => void }) {
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
      <table>
        <thead>
          <tr>
            ${header('name', 'Name')}
            <th scope="col">Image</th>
            ${header('status', 'State')}${header('health', 'Health')}
            ${header('cpu', 'CPU')}${header('memory', 'Memory')}${header('restarts', 'Restarts')}
            <th scope="col">Uptime</th>
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
                <td class="dim">${c.image}</td>
                <td>${c.status}</td>
                <td><span class=${`pill ${c.health}`}>${c.health}</span></td>
                <td>${c.resources.cpuPercent.toFixed(1)} %</td>
                <td>
                  <span
                    class="bar small"
                    title=${`${c.resources.memoryUsageMB} MiB of ${c.resources.memoryLimitMB} MiB`}
                  >
                    <span style=${`width:${Math.min(100, c.resources.memoryPercent)}%`}></span
                  ></span>
                  ${c.resources.memoryUsageMB.toFixed(0)} MiB · ${c.resources.memoryPercent.toFixed(0)} %
                </td>
                <td>${c.restarts}</td>
                <td>${c.uptime}</td>
                <td class="dim">
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

export function Sparkline({ values, label }: { values: number[]; label: string }) {
  const max = Math.max(1, ...values);
  const points = values.map((v, i) => `${(i / Math.max(1, values.length - 1)) * 100},${30 - (v / max) * 28}`).join(' ');
  return html`<figure class="spark">
    <figcaption>${label}</figcaption>
    <svg
      viewBox="0 0 100 30"
      preserveAspectRatio="none"
      role="img"
      aria-label=${`${label}, last ${values.length} samples`}
    >
      <polyline
        points=${points}
        fill="none"
        stroke="currentColor"
        stroke-width="1.5"
        vector-effect="non-scaling-stroke"
      />
    </svg>
  </figure>`;
}

export function SignIn({
  submit,
  error,
}: {
  submit: (token: string) => void;
  error: string | null;
}): ComponentChildren {
  const [token, setToken] = useState('');
  return html`<main class="signin">
    <form onSubmit=${(e: Event) => (e.preventDefault(), submit(token))}>
      <h1>vigil</h1>
      <label
        >API token
        <input
          type="password"
          autocomplete="current-password"
          value=${token}
          onInput=${(e: Event) => setToken((e.target as HTMLInputElement).value)}
          required
      /></label>
      <button type="submit">Sign in</button>
      ${error ? html`<p role="alert" class="error">${error}</p>` : null}
    </form>
  </main>`;
}

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
