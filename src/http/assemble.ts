import type Koa from 'koa';
import type { Config } from '../config.js';
import { createApp, type AppDependencies } from './app.js';
import { hostPolicy, type HostPolicy } from './request-guard.js';
import { StreamLimits } from './stream-limits.js';

/** The limits every stream client shares, from the configuration. */
export function streamLimitsFor(config: Config): StreamLimits {
  return new StreamLimits({
    max: config.streamsMax,
    perClient: config.streamsPerClient,
    memoryBytes: config.streamsMemoryMb * 1024 * 1024,
  });
}

/** The Host names vigil answers as: its own names and VIGIL_ALLOWED_HOSTS (request-guard.ts has the rule). */
export function hostPolicyFor(config: Config, ownNames: readonly (string | undefined)[]): HostPolicy {
  return hostPolicy({
    apiToken: config.apiToken,
    allowedHosts: config.allowedHosts,
    listenHost: config.listen.host,
    ownNames,
  });
}

/** The koa app with the configuration's tokens, limits and retention; the parts come from the caller. */
export function createHttpApp(
  config: Config,
  parts: Omit<AppDependencies, 'apiToken' | 'streams' | 'history' | 'alerts'> & {
    history: AppDependencies['history']['store'];
    historyDays?: AppDependencies['history']['days'];
    removedContainers?: AppDependencies['history']['removed'];
    bridge: AppDependencies['alerts']['bridge'];
  },
): Koa {
  const { history, historyDays, removedContainers, bridge, ...rest } = parts;
  return createApp({
    ...rest,
    apiToken: config.apiToken,
    history: { store: history, retentionDays: config.historyDays, days: historyDays, removed: removedContainers },
    alerts: { bridge, webhookToken: config.webhookToken, webhookMaxBytes: config.webhookMaxBytes },
    streams: {
      heartbeatMs: config.sseHeartbeatMs,
      logsTailCap: config.logsTailMax,
      logsDefaultTail: config.logsDefaultTail,
    },
  });
}
