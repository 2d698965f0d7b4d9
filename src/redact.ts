// Pure: what of a URL may be shown. Every URL vigil logs or serves goes through here: the logger's
// formatter (src/logger.ts) and the channel answers of the API (src/notify/channel-state.ts).

/** Hosts whose webhook URLs carry their secret in the path: only the first segment is shown. */
const SECRET_PATH_HOSTS: readonly RegExp[] = [
  /^hooks\.slack\.com$/,
  /^(?:[\w-]+\.)*discord(?:app)?\.com$/,
  /^(?:[\w-]+\.)*webhook\.office\.com$/,
  /^(?:[\w-]+\.)*office\.com$/,
  /^(?:[\w-]+\.)*office365\.com$/,
  /^(?:[\w-]+\.)*logic\.azure\.com$/,
];

const HIDDEN = '…';

/** Shannon entropy of a string, in bits per character. */
function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / s.length) * Math.log2(n / s.length);
  return bits;
}

/**
 * Pure: whether a path segment looks like a token rather than a name: long, of two or more kinds of
 * character (lower, upper, digits) and high in entropy. `docker.sock`, `api`, `v2`, `alerts` and
 * `notifications-endpoint` are names; a webhook id, a UUID, a hex or base64 key are tokens.
 */
export function looksLikeToken(segment: string): boolean {
  let s: string;
  try {
    s = decodeURIComponent(segment);
  } catch {
    s = segment;
  }
  if (s.length < 16) return false;
  // a hex key is a token whatever its entropy: 17 bytes of it drawn mostly as digits
  // ("96c5c76263629967e72437377332384323") measured 2.9 bits and was logged whole
  if (/^[0-9a-f]+$/i.test(s) && /\d/.test(s) && /[a-f]/i.test(s)) return true;
  const kinds = [/[a-z]/, /[A-Z]/, /\d/].filter((re) => re.test(s)).length;
  return kinds >= 2 && entropy(s) >= 3;
}

/**
 * Pure: the path shown for a URL: nothing after the first segment for secret-bearing webhook hosts,
 * nothing after Mattermost's /hooks/, and no token-like segment anywhere.
 */
function shownPath(u: URL): string {
  const segments = u.pathname.split('/');
  const host = u.hostname.toLowerCase();
  if (SECRET_PATH_HOSTS.some((re) => re.test(host))) {
    // ['', 'services', 'T…', …]: the first named segment says what kind of hook it is
    return segments.length > 2 && segments.slice(2).some(Boolean) ? `/${segments[1]}/${HIDDEN}` : u.pathname;
  }
  const hooks = segments.indexOf('hooks');
  const kept = hooks >= 0 && hooks < segments.length - 1 ? [...segments.slice(0, hooks + 1), HIDDEN] : segments;
  return kept.map((s) => (looksLikeToken(s) ? HIDDEN : s)).join('/');
}

/**
 * Pure: a URL fit for a log line or an API answer: no user or password, no query or fragment (where
 * tokens live), and no secret path (webhook URLs of Slack, Discord, Teams, Mattermost; token-like
 * segments anywhere).
 */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '(an unparseable URL)';
  }
  const hadCredentials = u.username !== '' || u.password !== '';
  const auth = hadCredentials ? `${HIDDEN}@` : '';
  const query = u.search ? `?${HIDDEN}` : '';
  const fragment = u.hash ? `#${HIDDEN}` : '';
  // URL.pathname of an opaque URL (mailto:, unix: without //) is the whole rest: show none of it
  if (!url.includes('//')) return `${u.protocol}${HIDDEN}`;
  // a URL redacted once and parsed again has its ellipses percent-encoded: keep them as a person reads them
  const path = shownPath(u).replaceAll('%E2%80%A6', HIDDEN);
  return `${u.protocol}//${auth}${u.host}${path}${query}${fragment}`;
}

/** Pure: the pieces of a URL that redactUrl hides: its credentials, query values, fragment and secret path. */
export function secretsOf(url: string): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [url];
  }
  const pieces = [u.username, u.password, decodeURIComponentSafe(u.username), decodeURIComponentSafe(u.password)];
  for (const [key, value] of u.searchParams) pieces.push(value, key);
  if (u.search) pieces.push(u.search.slice(1));
  if (u.hash) {
    pieces.push(u.hash.slice(1));
    for (const [key, value] of new URLSearchParams(u.hash.slice(1))) pieces.push(value, key);
  }
  const shown = new Set(shownPath(u).split('/'));
  for (const segment of u.pathname.split('/')) {
    if (shown.has(segment)) continue;
    const decoded = decodeURIComponentSafe(segment);
    // `<id>@<tenant>` (Teams) and `key=value` segments: each part may be quoted alone
    pieces.push(segment, decoded, ...decoded.split(/[@=&;,]/));
  }
  // short pieces ("1", "en") would blank out ordinary words in a message; what is hidden there is not a secret
  return [...new Set(pieces)].filter((p) => p.length >= 6);
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A URL with a scheme inside free text, up to whitespace or a quote; trailing punctuation is the sentence's. */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

/**
 * Pure: free text (an error message, a log message) with every URL in it redacted and every known
 * secret (the configuration's tokens and the hidden pieces of its URLs) replaced.
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(URL_IN_TEXT, (match) => {
    const trail = /[.,;:!?)\]}]+$/.exec(match)?.[0] ?? '';
    return redactUrl(match.slice(0, match.length - trail.length)) + trail;
  });
  // longest first: a secret that contains another is replaced whole
  const longestFirst = [...secrets].sort((a, b) => b.length - a.length);
  for (const secret of longestFirst) {
    if (secret && out.includes(secret)) out = out.split(secret).join(HIDDEN);
  }
  // a message cut short (an answer quoted to 200 characters) may end inside a secret
  for (const secret of longestFirst) {
    for (let k = secret.length - 1; k >= 6; k--) {
      if (out.endsWith(secret.slice(0, k))) {
        out = out.slice(0, out.length - k) + HIDDEN;
        break;
      }
    }
  }
  return out;
}

/** Pure: a value to log with redactText applied to every string in it, errors included. */
export function redactValue(value: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  // an Error stays one: the logger's serializer, which runs after, gives it its type and stack
  if (value instanceof Error) return redactError(value, secrets);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, depth + 1));
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, secrets, depth + 1);
  return out;
}

/** The configuration's secrets: tokens, passwords, webhook secrets and headers, and the hidden pieces of every URL. */
export function configSecrets(config: {
  dockerHost?: string;
  natsUrl?: string;
  alertmanagerUrl?: readonly string[];
  grafanaUrl?: string;
  apiToken?: string;
  webhookToken?: string;
  channels?: readonly ChannelSecrets[];
}): string[] {
  const urls = [config.dockerHost, config.natsUrl, config.grafanaUrl, ...(config.alertmanagerUrl ?? [])];
  const pieces = [config.apiToken, config.webhookToken, ...(config.channels ?? []).flatMap(channelSecrets)];
  for (const url of urls) if (url) pieces.push(...secretsOf(url));
  return [...new Set(pieces.filter((p): p is string => typeof p === 'string' && p.length >= 6))];
}

/** The fields of a channel's configuration that can hold a secret. */
export interface ChannelSecrets {
  url?: string;
  apiUrl?: string;
  token?: string;
  secret?: string;
  headers?: Record<string, string>;
  smtp?: { pass?: string };
}

/** A channel's secrets: its URLs' hidden pieces, its token, webhook secret, SMTP password and header values. */
export function channelSecrets(c: ChannelSecrets): string[] {
  const pieces = [c.token, c.secret, c.smtp?.pass, ...Object.values(c.headers ?? {})];
  for (const url of [c.url, c.apiUrl]) if (url) pieces.push(...secretsOf(url));
  return pieces.filter((p): p is string => typeof p === 'string' && p.length >= 6);
}

/** Pure: an error with its message, stack and own fields redacted, for a logger that serializes it after. */
export function redactError(err: Error, secrets: readonly string[] = []): Error {
  const copy = new Error(redactText(err.message, secrets));
  for (const [k, v] of Object.entries(err))
    (copy as unknown as Record<string, unknown>)[k] = redactValue(v, secrets, 1);
  copy.name = err.name;
  copy.stack = err.stack ? redactText(err.stack, secrets) : undefined;
  return copy;
}
