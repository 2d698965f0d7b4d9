import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { html } from '../html.js';

/** The API token asked once; the session cookie (and its CSRF header) stand for it after. */
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
