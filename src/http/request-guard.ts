import { isIP } from 'node:net';

/**
 * What keeps a web page in the operator's browser from using vigil: pure decisions, applied to every
 * HTTP request by guard.ts and to the WebSocket upgrade by ws/gate.ts.
 *
 * - Host (DNS rebinding: a page under a name the attacker controls, re-pointed at vigil, reads it as
 *   its own origin). An address (IP literal) is always accepted: rebinding needs a name, and a page
 *   served from vigil's own address is vigil's page. A name must be localhost, the machine's name,
 *   vigil's `host`, the listen name or one of VIGIL_ALLOWED_HOSTS. Without an API token this is
 *   always enforced; with a token only when VIGIL_ALLOWED_HOSTS is set, because the token already
 *   guards the API (a rebinding page neither knows it nor gets the cookie, which belongs to the real
 *   name) and Prometheus and Alertmanager on other hosts reach vigil by whatever name DNS gives it.
 * - Origin, on every request that changes something: a browser says where the page that sent it
 *   came from; it must be vigil's own (the Origin's host:port is the Host), or a name of
 *   VIGIL_ALLOWED_HOSTS (a reverse proxy that rewrites Host). Without Origin, `Sec-Fetch-Site`
 *   saying another site sent it is refused too. Scripts, Alertmanager and curl send neither.
 * - Content type: a change that carries a body must say it is JSON. A page may send text/plain,
 *   a form or multipart to another site without asking it first (no CORS preflight); JSON it may not.
 */

export interface HostPolicy {
  /** Whether Host is checked at all (see above). */
  enforce: boolean;
  /** Names accepted as Host, lower case, without a trailing dot. */
  names: ReadonlySet<string>;
  /** Names an Origin may carry although it is not the Host (VIGIL_ALLOWED_HOSTS: reverse proxies). */
  proxyNames: ReadonlySet<string>;
  /** `*` in VIGIL_ALLOWED_HOSTS: any name. */
  anyName: boolean;
}

export interface Refusal {
  status: number;
  message: string;
}

/** Pure: the policy from the configuration and the machine's own names. */
export function hostPolicy(options: {
  apiToken: string | undefined;
  allowedHosts: readonly string[];
  listenHost: string;
  ownNames: readonly (string | undefined)[];
}): HostPolicy {
  const normal = (n: string) => n.toLowerCase().replace(/\.$/, '');
  const explicit = options.allowedHosts.filter((n) => n !== '*').map(normal);
  const own = ['localhost', options.listenHost, ...options.ownNames].filter(
    (n): n is string => typeof n === 'string' && n.length > 0 && isIP(n) === 0,
  );
  return {
    enforce: options.apiToken === undefined || options.allowedHosts.length > 0,
    names: new Set([...own.map(normal), ...explicit]),
    proxyNames: new Set(explicit),
    anyName: options.allowedHosts.includes('*'),
  };
}

/** Pure: the name part of a Host header (`name:port`, `[v6]:port`), lower case; null when malformed. */
export function hostName(header: string): string | null {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]/@?#]+)(:\d{1,5})?$/.exec(header.trim());
  if (!match) return null;
  return match[1]!.toLowerCase().replace(/\.$/, '');
}

/** Pure: whether a request sent with this Host header is one vigil answers. */
export function hostAllowed(header: string | undefined, policy: HostPolicy): boolean {
  // no Host: not a browser (every browser sends one); Node refuses HTTP/1.1 without it anyway
  if (header === undefined || header === '') return true;
  if (!policy.enforce || policy.anyName) return true;
  const name = hostName(header);
  if (name === null) return false;
  if (name.startsWith('[') || isIP(name) !== 0) return true;
  return policy.names.has(name);
}

/** Pure: why a request with this Host is refused, or null. */
export function hostRefusal(header: string | undefined, policy: HostPolicy): Refusal | null {
  if (hostAllowed(header, policy)) return null;
  const shown = String(header).slice(0, 100);
  return {
    status: 421,
    message: `vigil does not answer under the name "${shown}": use its address, localhost or the machine's name, or add the name to VIGIL_ALLOWED_HOSTS (a reverse proxy's name)`,
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Pure: whether a method changes something (everything but GET, HEAD and OPTIONS). */
export function changesState(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/** Pure: whether a browser's Origin is vigil's own page (same host:port as Host) or a proxy's name. */
export function originAllowed(origin: string, host: string | undefined, policy: HostPolicy): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (host !== undefined && url.host === host.trim().toLowerCase()) return true;
  if (policy.anyName) return false;
  return policy.proxyNames.has(url.hostname.toLowerCase().replace(/\.$/, ''));
}

/**
 * Pure: why a browser's request from another site is refused, or null. For changes over HTTP, and
 * for the WebSocket upgrade (a GET, but a page of another site must not read the live socket).
 */
export function originRefusal(
  headers: { origin?: string | undefined; host?: string | undefined; 'sec-fetch-site'?: string | undefined },
  policy: HostPolicy,
): Refusal | null {
  const { origin, host } = headers;
  if (origin !== undefined && origin !== '') {
    if (originAllowed(origin, host, policy)) return null;
    return {
      status: 403,
      message: `a request from another site (Origin ${origin.slice(0, 100)}) may not change anything here; use vigil's own page, or send it without a browser`,
    };
  }
  const site = headers['sec-fetch-site']?.toLowerCase();
  if (site === 'cross-site' || site === 'same-site') {
    return {
      status: 403,
      message: `a request from another site (Sec-Fetch-Site: ${site}) may not change anything here; use vigil's own page, or send it without a browser`,
    };
  }
  return null;
}

/** Pure: whether a request carries a body (a length above zero, or chunks). */
export function hasBody(headers: { 'content-length'?: string | undefined; 'transfer-encoding'?: string | undefined }) {
  const length = headers['content-length'];
  if (length !== undefined && length.trim() !== '' && Number(length) > 0) return true;
  return headers['transfer-encoding'] !== undefined && headers['transfer-encoding'] !== '';
}

/** Pure: whether a Content-Type is JSON (application/json, application/<x>+json). */
export function isJsonType(contentType: string | undefined): boolean {
  return /^application\/([\w.-]+\+)?json\s*(;|$)/i.test(contentType?.trim() ?? '');
}

/** Pure: why a change with a body that is not said to be JSON is refused (415), or null. */
export function contentTypeRefusal(headers: {
  'content-type'?: string | undefined;
  'content-length'?: string | undefined;
  'transfer-encoding'?: string | undefined;
}): Refusal | null {
  if (!hasBody(headers) || isJsonType(headers['content-type'])) return null;
  const given = headers['content-type'] === undefined ? 'none' : `"${headers['content-type'].slice(0, 60)}"`;
  return {
    status: 415,
    message: `a request that changes something must send its body with the content type application/json, not ${given}`,
  };
}

/** Pure: the first reason to refuse an HTTP request, or null: Host, then Origin and content type of a change. */
export function requestRefusal(
  method: string,
  headers: Record<string, string | undefined>,
  policy: HostPolicy,
): Refusal | null {
  const host = hostRefusal(headers.host, policy);
  if (host) return host;
  if (!changesState(method)) return null;
  return originRefusal(headers, policy) ?? contentTypeRefusal(headers);
}
