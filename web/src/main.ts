import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ContainerDetail, IncidentsAnswer, ReadinessBody, RecentEventsAnswer } from '../../src/http/api-types.js';
import { api, ApiError, live, session, signIn, Unauthorized, type LiveMessage } from './api.js';
import { SeriesPanel } from './chart.js';
import { FEED, mergeFeed } from './feed.js';
import { FleetPanel } from './fleet.js';
import { historyLines, readHistory, type ContainerHistory } from './history.js';
import { HealthPanel } from './health-panel.js';
import { LogViewer } from './logs.js';
import { ChannelSettingsPanel, ThresholdsPanel } from './settings.js';
import { cpuText, detailLine, memoryText, plural, readinessText, scoreText } from './texts.js';
import { html, type Alert, type Channel, type Container, type FeedEvent, type System } from './html.js';
import { AlertsPanel } from './views/alerts.js';
import { ChannelsPanel } from './views/channels.js';
import { ContainerActions } from './views/container-actions.js';
import { ContainersTable } from './views/containers-table.js';
import { Feed } from './views/feed.js';
import { HostPanel } from './views/host.js';
import { IncidentsPanel } from './views/incidents.js';
import { SignIn } from './views/sign-in.js';

const containerPath = () => /^\/containers\/([^/]+)$/.exec(location.pathname)?.[1];

/** A person's stop, start or restart through the API; says what came of it. */
async function actOn(name: string, action: string): Promise<string> {
  try {
    await api(`/api/v1/containers/${encodeURIComponent(name)}/${action}`, { method: 'POST', body: '{}' });
    return `${action}: done`;
  } catch (e) {
    return `${action} failed: ${(e as Error).message}`;
  }
}

function Detail({ name, live: summary, back }: { name: string; live: Container | undefined; back: () => void }) {
  const [detail, setDetail] = useState<ContainerDetail | null>(null);
  const [history, setHistory] = useState<ContainerHistory | null>(null);
  const [error, setError] = useState<string | null>(null);
  const ref = encodeURIComponent(name);
  // the container shown now: a retry asked for by an earlier one's refusal is not made for this one
  const shownName = useRef(name);
  shownName.current = name;
  const load = () => {
    // read again when the live list changes: an answer that comes right clears an earlier refusal. In
    // vigil's first moments (before it has read the engine's containers) it asks to be asked again
    api<ContainerDetail>(`/api/v1/containers/${ref}/health`).then(
      (d) => (setDetail(d), setError(null)),
      (e: Error) => {
        setError(e.message);
        if (e instanceof ApiError && e.retryAfterSeconds !== null)
          setTimeout(() => shownName.current === name && load(), e.retryAfterSeconds * 1000);
      },
    );
    api<unknown>(`/api/v1/history/${ref}`).then(
      (h) => setHistory(readHistory(h)),
      () => undefined,
    );
  };
  useEffect(load, [name]);
  // the live list says when it changed: the detail and its history are read again then
  const status = summary?.status;
  useEffect(() => void (status && load()), [status, summary?.health, summary?.restarts]);
  const shown = summary ?? detail;
  const scores = history?.dailyHealthScore ?? [];
  const observed = scores.filter((s) => s.score !== null);
  const lines = history ? historyLines(history) : [];
  return html`<main class="detail">
    <p><a href="/" onClick=${(e: Event) => (e.preventDefault(), back())}>← all containers</a></p>
    <h1>${name}</h1>
    <${ContainerActions}
      name=${name}
      act=${async (action: string) => {
        const said = await actOn(name, action);
        load();
        return said;
      }}
    />
    ${error ? html`<p role="alert" class="error">${error}</p>` : null}
    ${
      shown
        ? html`<p class="summary">
            <span class=${`pill ${shown.health}`}>${shown.health}</span>
            <span data-testid="state">${detailLine(shown, history)}</span>
            <span class="dim">${cpuText(shown.cpu)} · ${memoryText(shown.memory)}</span>
          </p>`
        : null
    }
    <${SeriesPanel} path=${`/api/v1/containers/${ref}/series`} title="Resources" />
    <${LogViewer} name=${name} running=${shown?.status === 'running'} />
    <div class="columns">
      <section class="panel">
        <h2>What happened, and who asked</h2>
        ${lines.length === 0 ? html`<p class="dim">Nothing yet.</p>` : null}
        <ol class="list" data-testid="history">
          ${lines.map((l) => html`<li><time class="dim">${l.at.slice(0, 19).replace('T', ' ')}</time> ${l.text}</li>`)}
        </ol>
      </section>
      <${HealthPanel} detail=${detail} source=${shown?.healthSource ?? detail?.healthSource} />
    </div>
    <${ThresholdsPanel} name=${name} />
    <section class="panel">
      <h2>Daily health score <span class="dim">share of the day running and healthy</span></h2>
      <ol class="scores" data-testid="scores">
        ${observed.map((s) => html`<li><span class="dim">${s.date}</span> ${scoreText(s.score)}</li>`)}
      </ol>
      ${
        observed.length < scores.length
          ? html`<p class="dim">
              ${plural(scores.length - observed.length, 'day')} of the last ${scores.length} not observed.
            </p>`
          : null
      }
    </section>
  </main>`;
}

function App() {
  const [auth, setAuth] = useState<'checking' | 'needed' | 'ok'>('checking');
  const [authError, setAuthError] = useState<string | null>(null);
  const [containers, setContainers] = useState<Container[]>([]);
  const [system, setSystem] = useState<System | null>(null);
  const [channels, setChannels] = useState<Channel[]>([]);
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [feed, setFeed] = useState<FeedEvent[]>([]);
  const [incidents, setIncidents] = useState<IncidentsAnswer>({ open: [], recent: [] });
  const [connected, setConnected] = useState(false);
  const [engine, setEngine] = useState({ text: '…', ok: true });
  const [route, setRoute] = useState<string | undefined>(containerPath());

  const [resolved, setResolved] = useState<Alert[]>([]);
  const loadAlerts = () =>
    Promise.all([
      api<{ alerts: Alert[] }>('/api/v1/alerts?limit=100'),
      api<{ alerts: Alert[] }>('/api/v1/alerts?state=resolved&limit=10'),
    ]).then(
      ([firing, closed]) => (setAlerts(firing.alerts), setResolved(closed.alerts)),
      (e: Error) => e instanceof Unauthorized && setAuth('needed'),
    );
  const loadIncidents = () => api<IncidentsAnswer>('/api/v1/incidents').then(setIncidents, () => undefined);

  useEffect(() => {
    session().then(
      (s) => setAuth(s.required && !s.signedIn ? 'needed' : 'ok'),
      () => setAuth('ok'),
    );
    const onPop = () => setRoute(containerPath());
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  useEffect(() => {
    if (auth !== 'ok') return;
    void loadAlerts();
    void loadIncidents();
    // the feed starts from what happened before the page was opened, kept by vigil across its restarts
    api<RecentEventsAnswer>(`/api/v1/events/recent?limit=${FEED}`).then(
      (r) => setFeed((f) => mergeFeed(f, r.events)),
      () => undefined,
    );
    const ready = () =>
      fetch('/health/ready')
        .then((r) => r.json() as Promise<ReadinessBody>)
        .then(
          (r) => setEngine({ text: readinessText(r.checks), ok: (r.checks.engine?.status ?? 'ok') === 'ok' }),
          () => setEngine({ text: 'vigil unreachable', ok: true }),
        );
    void ready();
    const timer = setInterval(() => void ready(), 10_000);
    const onMessage = (m: LiveMessage) => {
      if (m.type === 'health:update') {
        const d = m.data;
        setContainers(d.containers.containers);
        setAlerts(d.alerts.alerts);
        setSystem(d.system);
        setChannels(d.channels);
      } else if (m.type === 'event') {
        const e = m.data;
        if (e.type.startsWith('alert')) void loadAlerts();
        if (e.type.startsWith('incident') || e.incident) void loadIncidents();
        setFeed((f) => mergeFeed(f, [e]));
      }
    };
    const stop = live(onMessage, setConnected);
    return () => {
      stop();
      clearInterval(timer);
    };
  }, [auth]);

  const go = (name: string | undefined) => {
    history.pushState(null, '', name ? `/containers/${encodeURIComponent(name)}` : '/');
    setRoute(name);
  };
  const acknowledge = async (a: Alert) => {
    await api(`/api/v1/alerts/${a.id}/acknowledge`, {
      method: 'POST',
      body: JSON.stringify({ by: 'the vigil page', durationMinutes: 60 }),
    });
    await loadAlerts();
  };
  const test = async (name: string) => {
    try {
      const r = await api<{ ok: boolean; latencyMs: number; error?: string }>(
        `/api/v1/channels/${encodeURIComponent(name)}/test`,
        { method: 'POST' },
      );
      return r.ok ? `delivered in ${r.latencyMs} ms` : `failed: ${r.error ?? 'unknown'}`;
    } catch (e) {
      return `failed: ${(e as Error).message}`;
    }
  };

  if (auth === 'checking') return html`<main><p class="dim">Loading…</p></main>`;
  if (auth === 'needed') {
    return html`<${SignIn}
      error=${authError}
      submit=${(token: string) =>
        signIn(token).then(
          () => (setAuthError(null), setAuth('ok')),
          (e: Error) => setAuthError(e instanceof Unauthorized ? 'That is not the API token.' : e.message),
        )}
    />`;
  }
  if (route) {
    const name = decodeURIComponent(route);
    return html`<${Detail} name=${name} live=${containers.find((c) => c.name === name)} back=${() => go(undefined)} />`;
  }
  return html`<main>
    <h1>vigil <span class="host-name">${system?.host.name ?? ''}</span></h1>
    <${HostPanel} system=${system} live=${connected} engine=${engine.text} engineOk=${engine.ok} />
    <${FleetPanel} self=${system?.host.name} />
    <${ContainersTable} containers=${containers} open=${go} />
    <div class="columns">
      <${AlertsPanel} alerts=${alerts} resolved=${resolved} acknowledge=${acknowledge} />
      <${IncidentsPanel} open=${incidents.open} recent=${incidents.recent} />
    </div>
    <div class="columns">
      <${Feed} events=${feed} />
      <${ChannelsPanel} channels=${channels} test=${test} />
    </div>
    <${SeriesPanel} path="/api/v1/system/series" title="Host resources" />
    <${ChannelSettingsPanel} />
  </main>`;
}

render(html`<${App} />`, document.getElementById('app')!);
