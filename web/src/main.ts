import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, live, session, signIn, Unauthorized, type LiveMessage } from './api.js';
import { FleetPanel } from './fleet.js';
import type { ReadinessBody } from '../../src/http/routes/probes.js';
import { detailLine, readinessText, scoreText } from './texts.js';
import {
  AlertsPanel,
  ChannelsPanel,
  ContainerActions,
  ContainersTable,
  Feed,
  HostPanel,
  html,
  SignIn,
  Sparkline,
  type Alert,
  type Channel,
  type Container,
  type FeedEvent,
  type System,
} from './views.js';

const HISTORY = 60;
const FEED = 50;
interface Stats {
  name: string;
  cpu: { percent: number };
  memory: { percent: number };
}

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

function Detail({ name, cpu, memory, back }: { name: string; cpu: number[]; memory: number[]; back: () => void }) {
  const [detail, setDetail] = useState<Record<string, unknown> | null>(null);
  const [history, setHistory] = useState<Record<string, unknown> | null>(null);
  const [logs, setLogs] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const ref = encodeURIComponent(name);
    api<Record<string, unknown>>(`/api/v1/containers/${ref}/health`).then(setDetail, (e: Error) => setError(e.message));
    api<Record<string, unknown>>(`/api/v1/history/${ref}`).then(setHistory, () => undefined);
    const source = new EventSource(`/api/v1/containers/${ref}/logs?follow=true&tail=50`);
    source.addEventListener('log', (e) => {
      const line = JSON.parse((e as MessageEvent<string>).data) as { message: string };
      setLogs((l) => [...l.slice(-199), line.message]);
    });
    return () => source.close();
  }, [name]);
  const check = detail?.healthCheck as { log: { end: string; exitCode: number; output: string }[] } | null | undefined;
  const actions =
    (history?.actions as { at: string; action: string; reason?: string; outcome?: string }[] | undefined) ?? [];
  const scores = (history?.dailyHealthScore as { date: string; score: number | null }[] | undefined) ?? [];
  return html`<main class="detail">
    <p><a href="/" onClick=${(e: Event) => (e.preventDefault(), back())}>← all containers</a></p>
    <h1>${name}</h1>
    <${ContainerActions} name=${name} act=${(action: string) => actOn(name, action)} />
    ${error ? html`<p role="alert" class="error">${error}</p>` : null}
    ${
      detail
        ? html`<p>
            <span class=${`pill ${String(detail.health)}`}>${String(detail.health)}</span>
            ${detailLine(detail, history)}
          </p>`
        : null
    }
    <div class="sparks">
      <${Sparkline} label="CPU %" values=${cpu} /><${Sparkline} label="Memory % of limit" values=${memory} />
    </div>
    <section class="panel">
      <h2>Daily health score</h2>
      <ol class="scores">
        ${scores.map((s) => html`<li><span class="dim">${s.date}</span> ${scoreText(s.score)}</li>`)}
      </ol>
    </section>
    <section class="panel">
      <h2>Health check</h2>
      ${
        check
          ? html`<ol class="list">
              ${check.log.map((p) => html`<li><time class="dim">${p.end.slice(11, 19)}</time> exit code ${p.exitCode} ${p.output.trim()}</li>`)}
            </ol>`
          : html`<p class="dim">No HEALTHCHECK.</p>`
      }
    </section>
    <section class="panel">
      <h2>What vigil did</h2>
      ${actions.length === 0 ? html`<p class="dim">Nothing yet.</p>` : null}
      <ol class="list">
        ${actions.map((a) => html`<li><time class="dim">${a.at.slice(0, 19).replace('T', ' ')}</time> <strong>${a.action}</strong> ${a.outcome ?? ''} — ${a.reason ?? ''}</li>`)}
      </ol>
    </section>
    <section class="panel">
      <h2>Logs</h2>
      <pre class="logs" tabindex="0" aria-label="Live logs">${logs.join('\n')}</pre>
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
  const [stats, setStats] = useState<Record<string, { cpu: number[]; memory: number[] }>>({});
  const [connected, setConnected] = useState(false);
  const [engine, setEngine] = useState('…');
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
    const ready = () =>
      fetch('/health/ready')
        .then((r) => r.json() as Promise<ReadinessBody>)
        .then(
          (r) => setEngine(readinessText(r.checks)),
          () => setEngine('vigil unreachable'),
        );
    void ready();
    const timer = setInterval(() => void ready(), 10_000);
    const onMessage = (m: LiveMessage) => {
      if (m.type === 'health:update') {
        const d = m.data as {
          containers: { containers: Container[] };
          system: System;
          channels: Channel[];
          alerts: { alerts: Alert[] };
        };
        setContainers(d.containers.containers);
        setAlerts(d.alerts.alerts);
        setSystem(d.system);
        setChannels(d.channels);
      } else if (m.type === 'stats') {
        const list = (m.data as { containers: Stats[] }).containers;
        setStats((old) => {
          const next = { ...old };
          for (const s of list) {
            const h = old[s.name] ?? { cpu: [], memory: [] };
            next[s.name] = {
              cpu: [...h.cpu, s.cpu.percent].slice(-HISTORY),
              memory: [...h.memory, s.memory.percent].slice(-HISTORY),
            };
          }
          return next;
        });
      } else if (m.type === 'event') {
        const e = m.data as FeedEvent;
        if (e.type.startsWith('alert')) void loadAlerts();
        // a reconnect is sent the recent events again: each is shown once, newest first
        if (/^(container|recovery|resource|incident)\./.test(e.type))
          setFeed((f) => (f.some((x) => x.id === e.id) ? f : [e, ...f].sort((a, b) => b.id - a.id).slice(0, FEED)));
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
    const s = stats[decodeURIComponent(route)] ?? { cpu: [], memory: [] };
    return html`<${Detail}
      name=${decodeURIComponent(route)}
      cpu=${s.cpu}
      memory=${s.memory}
      back=${() => go(undefined)}
    />`;
  }
  return html`<main>
    <h1>vigil <span class="host-name">${system?.host.name ?? ''}</span></h1>
    <${HostPanel} system=${system} live=${connected} engine=${engine} />
    <${FleetPanel} self=${system?.host.name} />
    <${ContainersTable} containers=${containers} open=${go} />
    <div class="columns">
      <${AlertsPanel} alerts=${alerts} resolved=${resolved} acknowledge=${acknowledge} />
      <${ChannelsPanel} channels=${channels} test=${test} />
    </div>
    <${Feed} events=${feed} />
  </main>`;
}

render(html`<${App} />`, document.getElementById('app')!);
