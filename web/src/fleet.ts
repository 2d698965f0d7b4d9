import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { plural } from './texts.js';
import { html } from './html.js';

export interface FleetHost {
  host: string;
  timestamp: string;
  total: number;
  healthy: number;
  unhealthy: number;
  states: Record<string, number>;
  alerts: { total: number };
}

/** Pure: the hosts with trouble first (unhealthy containers, then firing alerts), then by name. */
export function fleetOrder(hosts: FleetHost[]): FleetHost[] {
  const trouble = (h: FleetHost) => (h.unhealthy > 0 ? 0 : h.alerts.total > 0 ? 1 : 2);
  return [...hosts].sort((a, b) => trouble(a) - trouble(b) || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
}

/**
 * Every host's counts, as the vigils answered vigil.fleet.health over NATS (GET /api/v1/fleet). Shown
 * only when this vigil has NATS to ask; refreshed every 15 s.
 */
export function FleetPanel({ self }: { self: string | undefined }) {
  const [fleet, setFleet] = useState<{ nats: boolean; hosts: FleetHost[] } | null>(null);
  useEffect(() => {
    const load = () => api<{ nats: boolean; hosts: FleetHost[] }>('/api/v1/fleet').then(setFleet, () => undefined);
    void load();
    const timer = setInterval(() => void load(), 15_000);
    return () => clearInterval(timer);
  }, []);
  if (!fleet?.nats) return null;
  return html`<section class="panel fleet" aria-label="Fleet">
    <h2>Fleet <span class="dim">${plural(fleet.hosts.length, 'host')}</span></h2>
    <table>
      <thead>
        <tr>
          <th scope="col">Host</th>
          <th scope="col">Containers</th>
          <th scope="col">Running</th>
          <th scope="col">Unhealthy</th>
          <th scope="col">Alerts</th>
        </tr>
      </thead>
      <tbody>
        ${fleetOrder(fleet.hosts).map(
          (h) =>
            html`<tr class=${h.unhealthy > 0 ? 'bad' : ''} aria-current=${h.host === self ? 'true' : undefined}>
              <td>${h.host}${h.host === self ? html` <span class="dim">(this host)</span>` : ''}</td>
              <td>${h.total}</td>
              <td>${h.states.running ?? 0}</td>
              <td>${h.unhealthy}</td>
              <td>${h.alerts.total}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}
