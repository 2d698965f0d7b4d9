import { useEffect, useState } from 'preact/hooks';
import type {
  ChannelSettings,
  ContainerThresholdsAnswer,
  SettingSource,
  SettingsAnswer,
  Severity,
  Sourced,
} from '../../src/http/api-types.js';
import { api } from './api.js';
import { changeOf, notifyEventNames, toggled, type Field } from './setting-changes.js';
import { html } from './html.js';
import { AddChannelForm } from './views/add-channel.js';

const sourceWords: Record<SettingSource, string> = {
  default: "vigil's default",
  env: 'from the environment',
  file: "from vigil's configuration file",
  label: 'from a label',
  page: 'set on this page',
};

function Source({ of }: { of: Sourced<unknown> }) {
  return html`<span class=${`source ${of.source}`} data-source=${of.source}>${sourceWords[of.source]}</span>`;
}

/**
 * A container's spike thresholds and sustain time, each with where its value comes from; a value set
 * here applies at once and is kept by vigil, and "Revert" gives it back to the label or the file.
 */
export function ThresholdsPanel({ name }: { name: string }) {
  const [answer, setAnswer] = useState<ContainerThresholdsAnswer | null>(null);
  const [said, setSaid] = useState<string | null>(null);
  const path = `/api/v1/settings/thresholds/${encodeURIComponent(name)}`;
  useEffect(() => {
    api<ContainerThresholdsAnswer>(path).then(setAnswer, (e: Error) => setSaid(e.message));
  }, [path]);
  const change = async (field: Field, value: number | null) => {
    try {
      setAnswer(
        await api<ContainerThresholdsAnswer>(path, { method: 'PUT', body: JSON.stringify(changeOf(field, value)) }),
      );
      setSaid(value === null ? `${field} reverted` : `${field} set to ${value}`);
    } catch (e) {
      setSaid(`not saved: ${(e as Error).message}`);
    }
  };
  if (!answer)
    return html`<section class="panel" aria-label="Alert thresholds">
      <h2>Alert thresholds</h2>
      <p class="dim">${said ?? 'Loading…'}</p>
    </section>`;
  const t = answer.thresholds;
  const row = (field: Field, label: string, unit: string, of: Sourced<number>) =>
    html`<${SettingRow} key=${field} field=${field} label=${label} unit=${unit} of=${of} change=${change} />`;
  return html`<section class="panel" aria-label="Alert thresholds">
    <h2>Alert thresholds <span class="dim">when vigil reports a spike</span></h2>
    <table class="settings">
      <tbody>
        ${row('cpu.warn', 'CPU warning', '% of limit', t.cpu.warn)}
        ${row('cpu.crit', 'CPU critical', '% of limit', t.cpu.crit)}
        ${row('memory.warn', 'Memory warning', '% of limit', t.memory.warn)}
        ${row('memory.crit', 'Memory critical', '% of limit', t.memory.crit)}
        ${row('sustainSeconds', 'Sustained for', 's', t.sustainSeconds)}
      </tbody>
    </table>
    ${said ? html`<p class="dim" role="status">${said}</p>` : null}
  </section>`;
}

function SettingRow({
  field,
  label,
  unit,
  of,
  change,
}: {
  field: Field;
  label: string;
  unit: string;
  of: Sourced<number>;
  change: (field: Field, value: number | null) => Promise<void>;
}) {
  const [draft, setDraft] = useState(String(of.value));
  useEffect(() => setDraft(String(of.value)), [of.value]);
  const id = `setting-${field}`;
  return html`<tr data-setting=${field}>
    <th scope="row"><label for=${id}>${label}</label></th>
    <td>
      <form class="inline" onSubmit=${(e: Event) => (e.preventDefault(), void change(field, Number(draft)))}>
        <input
          id=${id}
          type="number"
          min="0"
          step="any"
          inputmode="decimal"
          value=${draft}
          onInput=${(e: Event) => setDraft((e.target as HTMLInputElement).value)}
        />
        <span class="dim">${unit}</span>
        <button type="submit">Set</button>
        ${of.source === 'page' ? html`<button type="button" onClick=${() => void change(field, null)}>Revert</button>` : null}
      </form>
    </td>
    <td><${Source} of=${of} /></td>
  </tr>`;
}

/**
 * Every channel's events and minimum severity, each with its source and a way back to the file, a test
 * to send, and the form that adds a channel; one added here is removed here too.
 */
export function ChannelSettingsPanel() {
  const [settings, setSettings] = useState<SettingsAnswer | null>(null);
  const [said, setSaid] = useState<Record<string, string>>({});
  const load = () => api<SettingsAnswer>('/api/v1/settings').then(setSettings, () => undefined);
  useEffect(() => void load(), []);
  const tell = (name: string, text: string) => setSaid((s) => ({ ...s, [name]: text }));
  const patch = async (name: string, body: object) => {
    try {
      await api(`/api/v1/settings/channels/${encodeURIComponent(name)}`, {
        method: 'PATCH',
        body: JSON.stringify(body),
      });
      tell(name, 'saved');
      await load();
    } catch (e) {
      tell(name, `not saved: ${(e as Error).message}`);
    }
  };
  const test = async (name: string) => {
    try {
      const r = await api<{ ok: boolean; latencyMs: number; error?: string }>(
        `/api/v1/channels/${encodeURIComponent(name)}/test`,
        { method: 'POST' },
      );
      tell(name, r.ok ? `delivered in ${r.latencyMs} ms` : `failed: ${r.error ?? 'unknown'}`);
    } catch (e) {
      tell(name, `failed: ${(e as Error).message}`);
    }
  };
  const remove = async (name: string) => {
    if (!confirm(`Remove the channel ${name}?`)) return;
    try {
      await api(`/api/v1/settings/channels/${encodeURIComponent(name)}`, { method: 'DELETE' });
      await load();
    } catch (e) {
      tell(name, `not removed: ${(e as Error).message}`);
    }
  };
  if (!settings) return null;
  return html`<section class="panel" aria-label="Configure alerts">
    <h2>Configure alerts</h2>
    ${
      settings.channels.length === 0
        ? html`<p class="dim">
            No channel yet: add an email, webhook or Slack channel below, or under <code>channels:</code> in vigil's
            configuration file.
          </p>`
        : null
    }
    <ul class="list">
      ${settings.channels.map(
        (c) =>
          html`<${ChannelRow}
            key=${c.name}
            channel=${c}
            patch=${patch}
            test=${test}
            remove=${remove}
            said=${said[c.name]}
          />`,
      )}
    </ul>
    <${AddChannelForm} added=${() => void load()} />
  </section>`;
}

const addedByWords: Record<ChannelSettings['addedBy'], string> = {
  file: "from vigil's configuration file",
  page: 'added on this page',
};

const severityNames: Severity[] = ['info', 'warning', 'critical'];

function ChannelRow({
  channel: c,
  patch,
  test,
  remove,
  said,
}: {
  channel: ChannelSettings;
  patch: (name: string, body: object) => Promise<void>;
  test: (name: string) => Promise<void>;
  remove: (name: string) => Promise<void>;
  said: string | undefined;
}) {
  const fromPage = c.addedBy === 'page';
  return html`<li data-channel-settings=${c.name}>
    <strong>${c.name}</strong> <span class="dim">${c.type} · ${c.target}</span>
    <span class=${`source ${fromPage ? 'page' : 'file'}`} data-channel-source=${c.addedBy}
      >${addedByWords[c.addedBy]}</span
    >
    ${c.secrets.map((f) => html` <span class="secret dim" data-secret=${f}>${f} ••••</span>`)}
    <div class="channel-settings">
      <label
        >Minimum severity
        <select
          value=${c.minSeverity.value}
          onChange=${(e: Event) => void patch(c.name, { minSeverity: (e.target as HTMLSelectElement).value })}
        >
          ${severityNames.map((s) => html`<option value=${s}>${s}</option>`)}
        </select></label
      >
      <${Source} of=${c.minSeverity} />
      ${c.minSeverity.source === 'page' && !fromPage ? html`<button type="button" onClick=${() => void patch(c.name, { minSeverity: null })}>Revert</button>` : null}
      <fieldset class="events">
        <legend>Events <span class="dim">(none ticked: all)</span></legend>
        ${notifyEventNames.map(
          (name) =>
            html`<label
              ><input
                type="checkbox"
                checked=${c.events.value?.includes(name) ?? false}
                onChange=${() => void patch(c.name, { events: toggled(c.events.value, name) })}
              />
              ${name.replace('_', ' ')}</label
            >`,
        )}
      </fieldset>
      <${Source} of=${c.events} />
      ${c.events.source === 'page' && !fromPage ? html`<button type="button" onClick=${() => void patch(c.name, { events: null })}>Revert events</button>` : null}
      <button type="button" onClick=${() => void test(c.name)}>Send test</button>
      ${fromPage ? html`<button type="button" onClick=${() => void remove(c.name)}>Remove</button>` : null}
      <span role="status" class="result">${said ?? ''}</span>
    </div>
  </li>`;
}
