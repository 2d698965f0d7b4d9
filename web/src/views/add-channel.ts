import { useState } from 'preact/hooks';
import type { ChannelSettings, Severity } from '../../../src/http/api-types.js';
import { api } from '../api.js';
import { channelKinds, clearedDraft, emptyDraft, newChannelOf, type ChannelDraft } from '../channel-draft.js';
import { html } from '../html.js';

const severityNames: Severity[] = ['info', 'warning', 'critical'];

/**
 * "Add a channel": a webhook, Slack or email channel, sent to vigil, which keeps it and delivers to it
 * at once. Its secrets leave the form when it is added; vigil never sends them back.
 */
export function AddChannelForm({ added }: { added: (c: ChannelSettings) => void }) {
  const [draft, setDraft] = useState<ChannelDraft>(emptyDraft);
  const [said, setSaid] = useState<string | null>(null);
  const set = (key: keyof ChannelDraft) => (e: Event) =>
    setDraft({ ...draft, [key]: (e.target as HTMLInputElement | HTMLSelectElement).value });
  const field = (key: keyof ChannelDraft, label: string, attrs: Record<string, string | boolean> = {}) =>
    html`<label class="field"
      >${label} <input name=${key} value=${draft[key]} onInput=${set(key)} ...${attrs}
    /></label>`;
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      const channel = await api<ChannelSettings>('/api/v1/settings/channels', {
        method: 'POST',
        body: JSON.stringify(newChannelOf(draft)),
      });
      setDraft(clearedDraft(draft));
      setSaid(`${channel.name} added`);
      added(channel);
    } catch (err) {
      setSaid(`not added: ${(err as Error).message}`);
    }
  };
  const kind = draft.type;
  return html`<form class="add-channel" aria-label="Add a channel" onSubmit=${submit}>
    <h3>Add a channel</h3>
    <div class="fields">
      ${field('name', 'Name', { required: true, placeholder: 'ops-pager', autocomplete: 'off' })}
      <label class="field"
        >Kind
        <select name="type" value=${kind} onChange=${set('type')}>
          ${channelKinds.map((k) => html`<option value=${k}>${k}</option>`)}
        </select></label
      >
      <label class="field"
        >Minimum severity
        <select name="minSeverity" value=${draft.minSeverity} onChange=${set('minSeverity')}>
          ${severityNames.map((s) => html`<option value=${s}>${s}</option>`)}
        </select></label
      >
      ${
        kind === 'webhook'
          ? [
              field('url', 'URL', { type: 'url', required: true, placeholder: 'https://hooks.example/vigil' }),
              field('secret', 'Signing secret (optional)', { type: 'password', autocomplete: 'new-password' }),
            ]
          : kind === 'slack'
            ? [
                field('url', 'Incoming webhook URL', { type: 'password', autocomplete: 'off' }),
                field('secret', 'or bot token', { type: 'password', autocomplete: 'off' }),
                field('channel', 'and channel', { placeholder: 'ops' }),
              ]
            : [
                field('smtpHost', 'SMTP host', { required: true }),
                field('smtpPort', 'Port', { inputmode: 'numeric', placeholder: '587' }),
                field('smtpUser', 'User', { autocomplete: 'off' }),
                field('smtpPass', 'Password', { type: 'password', autocomplete: 'new-password' }),
                field('from', 'From', { required: true, placeholder: 'vigil@example.com' }),
                field('to', 'To', { required: true, placeholder: 'ops@example.com, …' }),
              ]
      }
    </div>
    <p>
      <button type="submit">Add channel</button>
      <span role="status" class="result" data-testid="add-channel-result">${said ?? ''}</span>
    </p>
  </form>`;
}
