import { h, type ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import htm from 'htm';
import type { ChannelHealth, ContainerSummary, Incident, SystemAnswer } from '../../src/http/api-types.js';
import type { alertView } from '../../src/http/routes/alerts.js';
import { ago, cpuText, feedText, memoryShare, memoryText, plural, stateText, type FeedEvent } from './texts.js';

export type { FeedEvent } from './texts.js';

export const html = htm.bind(h);

export type Container = ContainerSummary;
export type Channel = ChannelHealth;
export type System = SystemAnswer;
export type Alert = ReturnType<typeof alertView>;

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
export function queueLine(queue: System['notifications'] | undefined): string {
  return `notifications queued: ${queue?.pending ?? 0} (oldest ${queue?.oldestPendingSeconds ?? 0}s)`;
}

const GiB = 1024 ** 3;

export function HostPanel({
  system,
  live,
  engine,
  engineOk,
}: {
  system: System | null;
  live: boolean;
  engine: string;
  engineOk: boolean;
}) {
  const c = system?.containers ?? { total: 0 };
  const host = system?.host;
  const usedBytes = host ? host.memoryTotalBytes - host.memoryAvailableBytes : 0;
  return html`<section class="panel host" aria-label="Host">
    <${Gauge} label=${`CPU of ${plural(host?.cpus ?? 0, 'core')}`} percent=${host?.cpuPercent ?? 0} />
    <${Gauge} label="Memory" percent=${host?.memoryPercent ?? 0} />
    <p class="state" data-testid="host-memory">
      memory ${(usedBytes / GiB).toFixed(1)} GiB of ${((host?.memoryTotalBytes ?? 0) / GiB).toFixed(1)} GiB
    </p>
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
      ${system?.engine.version ? ` · Docker ${system.engine.version}` : ''}
    </p>
    <p class="state" data-testid="queue">${queueLine(system?.notifications)}</p>
    ${engineOk ? null : html`<${EngineHint} />`}
  </section>`;
}

/** What to do when vigil reaches no engine: the usual causes, in the order people meet them. */
export function EngineHint() {
  return html`<div class="hint" role="alert" data-testid="engine-hint">
    <strong>vigil reaches no Docker engine.</strong> Check that the engine runs (<code>docker info</code> on the host),
    that vigil's container mounts its socket (<code>-v /var/run/docker.sock:/var/run/docker.sock:ro</code>) and may read
    it (the socket's group), or that <code>DOCKER_HOST</code> names it. The figures here are the last ones vigil saw; it
    keeps trying and the page fills in again by itself.
  </div>`;
}

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
