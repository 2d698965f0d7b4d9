import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { ContainerEngine } from './docker/engine.js';

/**
 * Pure: the host's name as one token of a NATS subject. A subject's tokens are split at dots and
 * `*` and `>` are wildcards, so `web-1.example.com` is published as `web-1_example_com`.
 */
export function subjectToken(host: string): string {
  return host.replace(/[^A-Za-z0-9_-]/g, '_') || '_';
}

/**
 * This vigil's host name, decided once at start so that it never changes under a subscriber: VIGIL_HOST,
 * else the engine's own name (`docker info`), else this machine's hostname when the engine does not
 * answer within `waitMs`.
 */
export async function resolveHost(
  configured: string | undefined,
  engine: Pick<ContainerEngine, 'info'>,
  logger: Logger,
  waitMs = 3000,
): Promise<string> {
  if (configured) return configured;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), waitMs)));
  const asked = engine.info().then(
    (info) => info.name || null,
    () => null,
  );
  const fromEngine = await Promise.race([asked, timeout]);
  clearTimeout(timer);
  if (fromEngine) return fromEngine;
  const fallback = hostname();
  logger.info({ host: fallback }, 'the engine did not give its name in time; this vigil is named after its machine');
  return fallback;
}
