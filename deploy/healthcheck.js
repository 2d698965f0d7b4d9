/* global process, fetch, AbortSignal */
// The image's HEALTHCHECK: /health/live on the address VIGIL_LISTEN names (any interface is asked on
// loopback), so that a container started with another VIGIL_LISTEN is checked where it listens.
const listen = process.env.VIGIL_LISTEN || '127.0.0.1:9323';
const colon = listen.lastIndexOf(':');
const host = listen.slice(0, colon).replace(/^\[|\]$/g, '');
const port = listen.slice(colon + 1);
const reachable = host === '' || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
const url = `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}/health/live`;
fetch(url, { signal: AbortSignal.timeout(2500) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);
