import { Router } from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { MetricsEndpoint } from '../metrics/registry.js';
import { requireAuth, requireBearer } from './auth.js';
import { errorHandler } from './errors.js';
import { guardRequests } from './guard.js';
import type { HostPolicy } from './request-guard.js';
import { newGuessLimiter, type GuessLimiter, limitGuesses } from './guess-limiter.js';
import type { StreamLimits } from './stream-limits.js';
import type { Incident } from '../incidents/incident.js';
import type { IncidentsAnswer } from './api-types.js';
import type { ContainersSource } from '../containers/source.js';
import { containerRoutes } from './routes/containers.js';
import { metricsRoutes } from './routes/metrics.js';
import { probeRoutes, type ReadinessCheck } from './routes/probes.js';
import { streamRoutes, type StreamOptions } from './routes/streams.js';
import type { ContainerEngine } from '../docker/engine.js';
import type { LogPump } from '../logs/pump.js';
import type { EventBus } from '../streams/event-bus.js';
import type { HistoryStore } from '../store/history.js';
import { historyRoutes } from './routes/history.js';
import type { HistoryDaysStore } from '../store/history-days.js';
import type { RemovedContainerStore } from '../store/removed-containers.js';
import { channelRoutes } from './routes/channels.js';
import type { Dispatcher } from '../notify/dispatcher.js';
import type { AlertBridge } from '../alerts/bridge.js';
import { alertRoutes, webhookRoutes } from './routes/alerts.js';
import { systemRoutes } from './routes/system.js';
import { fleetRoutes, type FleetSource } from './routes/fleet.js';
import { pageRoutes } from './routes/page.js';
import { sessionRoutes } from './routes/session.js';
import type { SessionRevocations } from '../store/revoked-sessions.js';
import { containerActionRoutes, type ContainerActionsSource } from './routes/container-actions.js';
import { seriesRoutes } from './routes/series.js';
import type { ResourceSeriesStore } from '../store/resource-series.js';
import { recentEventRoutes } from './routes/recent-events.js';
import { settingsRoutes, type SettingsDeps } from './routes/settings.js';
import type { VigilEvent } from '../streams/event-bus.js';

export interface AppDependencies {
  logger: Logger;
  metrics: MetricsEndpoint;
  containers: ContainersSource;
  readiness: readonly ReadinessCheck[];
  /** What GET /health says of this vigil. */
  about: { version: string; host: string; startedAt: number };
  apiToken: string | undefined;
  /** The Host names vigil answers as, and the proxies' names an Origin may carry (request-guard.ts). */
  hostPolicy: HostPolicy;
  /** Signed-out session cookies, refused until they expire. */
  sessions: SessionRevocations;
  engine: ContainerEngine;
  /** Followed logs: one engine stream per container, fanned out to its followers. */
  logPump: LogPump;
  bus: EventBus;
  streams: Omit<StreamOptions, 'limits'>;
  streamLimits: StreamLimits;
  history: { store: HistoryStore; retentionDays: number; days?: HistoryDaysStore; removed?: RemovedContainerStore };
  dispatcher: Dispatcher;
  alerts: { bridge: AlertBridge; webhookToken: string | undefined; webhookMaxBytes: number };
  fleet: FleetSource;
  /** Open and recent incidents with their timelines (GET /api/v1/incidents). */
  incidents: { list(): { open: Incident[]; recent: Incident[] } };
  /** A person's stop, start and restart of a container (POST /api/v1/containers/:id/stop …). */
  containerActions?: ContainerActionsSource;
  /** Resource history (GET /api/v1/containers/:id/series, /api/v1/system/series); empty series without one. */
  series?: { store: ResourceSeriesStore; sampleIntervalSeconds: number; size(): { rows: number } };
  /** Events kept across restarts for GET /api/v1/events/recent; the bus's ring alone without. */
  recentEvents?: { latest(limit: number): VigilEvent[] };
  /** Alert settings the page changes (GET/PUT /api/v1/settings…); absent, those routes are not served. */
  settings?: Omit<SettingsDeps, 'containers'>;
  /** The built page; the default is web/dist. */
  webDir?: string;
  /** Wrong tokens per address, shared with the live WebSocket; the default is vigil's own. */
  guesses?: GuessLimiter;
}

/** The HTTP face of vigil, built but not listening: main.ts listens, tests drive it on an ephemeral port. */
export function createApp(deps: AppDependencies): Koa {
  const app = new Koa();
  app.proxy = false;
  // errors are answered and logged by errorHandler; Koa's default handler would print them again
  app.silent = true;
  app.use(errorHandler(deps.logger));
  app.use(guardRequests(deps.hostPolicy));
  app.use(limitGuesses(deps.guesses ?? newGuessLimiter()));

  const open = new Router();
  metricsRoutes(open, deps.metrics);
  probeRoutes(open, deps.readiness, deps.about);
  pageRoutes(open, deps.webDir);
  sessionRoutes(open, deps.apiToken, deps.sessions);
  app.use(open.routes()).use(open.allowedMethods());

  // the webhook has a token of its own (Alertmanager's http_config.authorization)
  const webhook = new Router();
  webhook.use('/api/v1/alertmanager', async (ctx, next) => {
    try {
      await requireBearer(deps.alerts.webhookToken)(ctx, next);
    } catch (err) {
      if ((err as { status?: number }).status === 401) deps.alerts.bridge.count('rejected');
      throw err;
    }
  });
  webhookRoutes(webhook, deps.alerts.bridge, deps.alerts.webhookMaxBytes);
  app.use(webhook.routes()).use(webhook.allowedMethods());

  const api = new Router();
  api.use('/api/v1', requireAuth(deps.apiToken, deps.sessions));
  // before containerRoutes and the event stream, whose :id and /events would take these paths
  seriesRoutes(api, {
    containers: deps.containers,
    series: deps.series?.store,
    history: deps.history.store,
    sampleIntervalSeconds: deps.series?.sampleIntervalSeconds ?? 10,
  });
  recentEventRoutes(api, { bus: deps.bus, stored: deps.recentEvents });
  if (deps.settings) settingsRoutes(api, { containers: deps.containers, ...deps.settings });
  containerRoutes(api, deps.containers);
  if (deps.containerActions) {
    const { containers, containerActions: actions, apiToken, sessions } = deps;
    containerActionRoutes(api, { containers, actions, apiToken, sessions });
  }
  streamRoutes(
    api,
    { engine: deps.engine, pump: deps.logPump, containers: deps.containers, bus: deps.bus, logger: deps.logger },
    { ...deps.streams, limits: deps.streamLimits },
  );
  historyRoutes(api, {
    containers: deps.containers,
    history: deps.history.store,
    days: deps.history.days,
    removed: deps.history.removed,
    channels: () => deps.dispatcher.health().map((c) => c.name),
    retentionDays: deps.history.retentionDays,
    incidents: () => deps.incidents.list(),
  });
  channelRoutes(api, deps.dispatcher);
  alertRoutes(api, deps.alerts.bridge);
  systemRoutes(
    api,
    () => deps.containers.containers(),
    () => deps.alerts.bridge.activeCounts(),
    () => deps.containers.context(),
    deps.containers.system,
    () => deps.dispatcher.health(),
    () => deps.series?.size() ?? null,
  );
  fleetRoutes(api, deps.fleet);
  api.get('/api/v1/incidents', (ctx) => {
    const body: IncidentsAnswer = deps.incidents.list();
    ctx.body = body;
  });
  app.use(api.routes()).use(api.allowedMethods());
  return app;
}
