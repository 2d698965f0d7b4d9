import { html, type System } from '../html.js';
import { plural } from '../texts.js';

// The host's panel: its CPU and memory, the containers by state, the outbox, and what to do without an engine.

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
