import { Router } from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { MetricsEndpoint } from '../metrics/registry.js';
import { requireBearer } from './auth.js';
import { errorHandler } from './errors.js';
import { containerRoutes, type ContainersSource } from './routes/containers.js';
import { metricsRoutes } from './routes/metrics.js';
import { probeRoutes, type ReadinessCheck } from './routes/probes.js';
import { streamRoutes, type StreamOptions } from './routes/streams.js';
import type { ContainerEngine } from '../docker/engine.js';
import type { EventBus } from '../streams/event-bus.js';
import type { HistoryStore } from '../store/history.js';
import { historyRoutes } from './routes/history.js';
import { channelRoutes } from './routes/channels.js';
import type { Dispatcher } from '../notify/dispatcher.js';

export interface AppDependencies {
  logger: Logger;
  metrics: MetricsEndpoint;
  containers: ContainersSource;
  readiness: readonly ReadinessCheck[];
  apiToken: string | undefined;
  engine: ContainerEngine;
  bus: EventBus;
  streams: StreamOptions;
  history: { store: HistoryStore; retentionDays: number };
  dispatcher: Dispatcher;
}

/** The HTTP face of vigil, built but not listening: main.ts listens, tests drive it on an ephemeral port. */
export function createApp(deps: AppDependencies): Koa {
  const app = new Koa();
  app.proxy = false;
  // errors are answered and logged by errorHandler; Koa's default handler would print them again
  app.silent = true;
  app.use(errorHandler(deps.logger));

  const open = new Router();
  metricsRoutes(open, deps.metrics);
  probeRoutes(open, deps.readiness);
  app.use(open.routes()).use(open.allowedMethods({ throw: true }));

  const api = new Router();
  api.use('/api/v1', requireBearer(deps.apiToken));
  containerRoutes(api, deps.containers);
  streamRoutes(api, { engine: deps.engine, containers: deps.containers, bus: deps.bus, logger: deps.logger }, deps.streams);
  historyRoutes(api, { containers: deps.containers, history: deps.history.store, retentionDays: deps.history.retentionDays });
  channelRoutes(api, deps.dispatcher);
  app.use(api.routes()).use(api.allowedMethods({ throw: true }));
  return app;
}
