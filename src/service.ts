import type { AddressInfo } from 'node:net';
import { totalmem } from 'node:os';
import type Koa from 'koa';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { redactUrl } from './logger.js';
import { DockerodeEngine, type ContainerEngine } from './docker/engine.js';
import { EngineEvents } from './docker/events.js';
import { Inventory } from './docker/inventory.js';
import { ApiStatsSource } from './docker/stats/api.js';
import { CgroupStatsSource } from './docker/stats/cgroup.js';
import type { StatsSource } from './docker/stats/source.js';
import { createApp } from './http/app.js';
import { StreamLimits } from './http/stream-limits.js';
import { createMetrics, type MetricsEndpoint } from './metrics/registry.js';
import { currentSnapshot, Sampler } from './sampler.js';
import { findContainer, type ContainersSource } from './http/routes/containers.js';
import { containerDetail, containerStats, containerSummary, healthSummary } from './containers/view.js';
import { containerTransitions } from './containers/transitions.js';
import { errorBody, HttpError } from './http/errors.js';
import { EventBus } from './streams/event-bus.js';
import { NatsPublisher } from './streams/nats.js';
import { readFileSync } from 'node:fs';
import type { ScheduledTask } from 'node-cron';
import { openStore, storeWritable, type Db } from './store/db.js';
import { DesiredStateStore } from './store/desired-state.js';
import { RecoveryStateStore } from './store/recovery-state.js';
import { HistoryStore } from './store/history.js';
import { Medic } from './recovery/medic.js';
import { IntentTracker } from './recovery/intent-tracker.js';
import { StatusRecorder } from './recovery/status-recorder.js';
import { scheduleMaintenance } from './jobs.js';
import { HttpServer } from './server.js';
import { instancePattern } from './alerts/target.js';
import { ownContainerId } from './recovery/identity.js';
import { OutboxStore } from './store/outbox.js';
import { Dispatcher } from './notify/dispatcher.js';
import { createNotifier } from './notify/channels/index.js';
import { notificationFor } from './notify/message.js';
import { AlertStore } from './store/alerts.js';
import { AlertBridge } from './alerts/bridge.js';

export interface Vigil {
  app: Koa;
  metrics: MetricsEndpoint;
  engine: ContainerEngine;
  events: EngineEvents;
  inventory: Inventory;
  sampler: Sampler;
  bus: EventBus;
  streamLimits: StreamLimits;
  nats: NatsPublisher | null;
  medic: Medic;
  intent: IntentTracker;
  dispatcher: Dispatcher;
  db: Db;
  /** Starts following the engine and sampling; resolves at once (the engine may come later). */
  start(): void;
  /** Alertmanager webhook requests by outcome. */
  bridgeRequests(): Map<string, number>;
  /** Open HTTP connections (SSE clients among them). */
  connections(): Promise<number>;
  /** Listens on host:port; resolves with the bound address. */
  listen(host: string, port: number): Promise<AddressInfo>;
  stop(): Promise<void>;
}

/** The stats sources to try, in order, for VIGIL_STATS_SOURCE. */
export function statsSources(
  config: Config,
  engine: ContainerEngine,
  hostMemoryBytes: () => number,
  logger: Logger,
): StatsSource[] {
  const api = new ApiStatsSource(engine, hostMemoryBytes, config.apiStatsConcurrency);
  const cgroupVisible = CgroupStatsSource.available(config.cgroupRoot, config.procRoot);
  switch (config.statsSource) {
    case 'api':
      return [api];
    case 'cgroup':
      if (!cgroupVisible)
        logger.warn(
          { cgroupRoot: config.cgroupRoot, procRoot: config.procRoot },
          'VIGIL_STATS_SOURCE=cgroup but no cgroup tree is visible there; no resources will be read',
        );
      return [new CgroupStatsSource(config.cgroupRoot, config.procRoot)];
    case 'auto':
      if (!cgroupVisible) {
        logger.info("no host cgroup tree visible; reading resources through the engine's stats API");
        return [api];
      }
      return [new CgroupStatsSource(config.cgroupRoot, config.procRoot), api];
  }
}

/** Wires vigil's parts from a configuration. main.ts adds signals and the process around it. */
export function createVigil(config: Config, logger: Logger): Vigil {
  const engine = new DockerodeEngine(config.dockerHost);
  const events = new EngineEvents(engine, logger.child({ component: 'events' }));
  const inventory = new Inventory(engine, events, logger.child({ component: 'inventory' }), config.inspectConcurrency);

  let hostMemoryBytes = totalmem();
  events.on('connected', () => {
    engine.info().then(
      (info) => {
        hostMemoryBytes = info.memTotalBytes;
        logger.info(
          { engine: info.serverVersion, cgroupVersion: info.cgroupVersion, cgroupDriver: info.cgroupDriver },
          'engine info',
        );
      },
      (err: Error) => logger.warn({ err: err.message }, 'engine info failed'),
    );
  });

  const sources = statsSources(config, engine, () => hostMemoryBytes, logger);
  const sampler = new Sampler(
    inventory,
    sources,
    logger.child({ component: 'sampler' }),
    config.sampleIntervalSeconds * 1000,
  );
  const snapshot = (e: { record: Parameters<typeof currentSnapshot>[1] }) => currentSnapshot(sampler, e.record);

  const bus = new EventBus(config.eventBufferSize);
  inventory.on('added', (entry) => publishAll(bus, containerTransitions(undefined, entry.record)));
  inventory.on('changed', (entry, before) => publishAll(bus, containerTransitions(before, entry.record)));
  inventory.on('removed', (entry) => publishAll(bus, containerTransitions(entry.record, undefined)));

  const containers: ContainersSource = {
    containers: () => inventory.all(),
    snapshot,
    context: () => ({ now: new Date(), hostMemoryBytes, labelAllowlist: config.labels }),
  };
  const nats = config.natsUrl
    ? new NatsPublisher(
        config.natsUrl,
        natsSources(containers, sampler),
        bus,
        logger.child({ component: 'nats' }),
        config.natsIntervalSeconds * 1000,
      )
    : null;

  const db = openStore(config.dataDir);
  const stores = {
    desired: new DesiredStateStore(db),
    recovery: new RecoveryStateStore(db),
    history: new HistoryStore(db),
    alerts: new AlertStore(db),
  };
  const intent = new IntentTracker(
    events,
    inventory,
    stores,
    logger.child({ component: 'intent' }),
    config.engineShutdownWindowSeconds * 1000,
  );
  const statusRecorder = new StatusRecorder(inventory, stores.history, logger.child({ component: 'history' }));
  const medic = new Medic(engine, events, inventory, intent, stores, bus, logger.child({ component: 'medic' }), {
    schedule: {
      baseMs: config.backoffBaseSeconds * 1000,
      maxMs: config.backoffMaxSeconds * 1000,
      resetAfterMs: config.backoffResetSeconds * 1000,
      maxAttempts: config.recoveryMaxAttempts,
    },
    autoheal: config.autoheal,
    reconcileOnBoot: config.reconcileOnBoot,
    concurrency: config.recoveryConcurrency,
    bootGraceMs: config.bootGraceSeconds * 1000,
    engineShutdownWindowMs: config.engineShutdownWindowSeconds * 1000,
    reportQuietMs: config.reportQuietMinutes * 60_000,
    selfId: readOwnContainerId(),
  });
  let sweep: ScheduledTask | null = null;

  const outbox = new OutboxStore(db);
  const dispatcher = new Dispatcher(
    outbox,
    config.channels.map((c) => ({ config: c, notifier: createNotifier(c) })),
    logger.child({ component: 'notify' }),
    {
      retryBaseMs: config.notifyRetrySeconds * 1000,
      retryMaxMs: config.notifyRetryMaxSeconds * 1000,
      expiryMs: config.notifyExpiryHours * 3_600_000,
      dedupeMs: config.notifyDedupeSeconds * 1000,
      groupMs: config.notifyGroupSeconds * 1000,
      tickMs: 250,
    },
  );
  const links = { grafanaUrl: config.grafanaUrl, alertmanagerUrl: config.alertmanagerUrl };
  bus.on('event', (event) => {
    const notification = notificationFor(event, links);
    if (notification) dispatcher.enqueue(notification);
  });

  const bridge = new AlertBridge(
    stores.alerts,
    bus,
    medic,
    () => inventory.all().map((e) => e.record),
    logger.child({ component: 'alerts' }),
    {
      containerLabels: config.alertContainerLabels,
      alertmanagerUrl: config.alertmanagerUrl,
      instancePattern: instancePattern(config.alertInstance),
    },
  );
  let generation = 0;
  const bump = (): void => {
    generation++;
  };
  for (const event of ['added', 'changed', 'removed'] as const) inventory.on(event, bump);
  sampler.on('sweep', bump);

  const streamLimits = new StreamLimits({
    max: config.streamsMax,
    perClient: config.streamsPerClient,
    memoryBytes: config.streamsMemoryMb * 1024 * 1024,
  });
  const metrics = createMetrics(
    {
      containers: () => inventory.all(),
      snapshot,
      hostMemoryBytes: () => hostMemoryBytes,
      generation: () => generation,
    },
    { labels: config.labels },
    { events, inventory, sampler, nats, medic, dispatcher, bridge, streams: streamLimits },
  );

  const app = createApp({
    logger: logger.child({ component: 'http' }),
    metrics,
    apiToken: config.apiToken,
    containers,
    engine,
    bus,
    history: { store: stores.history, retentionDays: config.historyDays },
    dispatcher,
    alerts: { bridge, webhookToken: config.webhookToken, webhookMaxBytes: config.webhookMaxBytes },
    streamLimits,
    streams: {
      heartbeatMs: config.sseHeartbeatSeconds * 1000,
      logsTailCap: config.logsTailMax,
      logsDefaultTail: config.logsDefaultTail,
    },
    readiness: [
      {
        name: 'engine',
        check: () =>
          !events.connected
            ? `cannot reach the engine at ${config.dockerHost}`
            : !inventory.synced
              ? 'engine reachable; inventory still synchronising'
              : null,
      },
      { name: 'store', check: () => storeWritable(db) },
    ],
  });

  const server = new HttpServer(app);
  return {
    app,
    metrics,
    engine,
    events,
    inventory,
    sampler,
    bus,
    streamLimits,
    nats,
    medic,
    intent,
    dispatcher,
    db,
    start() {
      logger.info(
        { sources: sources.map((s) => s.name), intervalSeconds: config.sampleIntervalSeconds },
        'sampling resources',
      );
      logger.info(
        {
          engine: redactUrl(config.dockerHost),
          nats: config.natsUrl ? redactUrl(config.natsUrl) : null,
          channels: config.channels.map(channelTarget),
        },
        'configuration',
      );
      events.start();
      sampler.start();
      nats?.start();
      intent.start();
      statusRecorder.start();
      medic.start();
      dispatcher.start();
      sweep = scheduleMaintenance(
        medic,
        intent,
        { ...stores, outbox },
        {
          cron: config.sweepCron,
          retentionMs: config.historyDays * 86_400_000,
          alertExpiryMs: config.alertExpiryHours * 3_600_000,
        },
        logger.child({ component: 'maintenance' }),
      );
    },
    bridgeRequests() {
      return bridge.requests;
    },
    connections: () => server.connections(),
    listen: (host, port) => server.listen(host, port),
    async stop() {
      const closing = server.close();
      await sweep?.stop();
      intent.stop();
      statusRecorder.stop();
      await Promise.all([closing, sampler.stop(), events.stop(), nats?.stop(), medic.stop()]);
      await dispatcher.stop();
      db.close();
    },
  };
}

function publishAll(bus: EventBus, events: ReturnType<typeof containerTransitions>): void {
  for (const event of events) bus.publish(event);
}

/** NATS carries the JSON API's shapes, built from the same views. */
function natsSources(containers: ContainersSource, sampler: Sampler) {
  return {
    summaryOf(shortId: string) {
      const entry = containers.containers().find((e) => e.record.shortId === shortId);
      return entry && containerSummary(entry, containers.snapshot(entry), containers.context());
    },
    healthAll() {
      const context = containers.context();
      return healthSummary(
        containers.containers().map((e) => containerSummary(e, containers.snapshot(e), context)),
        context.now,
      );
    },
    detail(ref: string) {
      try {
        const entry = findContainer(ref, containers);
        return { status: 200, body: containerDetail(entry, containers.snapshot(entry), containers.context()) };
      } catch (err) {
        if (err instanceof HttpError) return { status: err.status, body: errorBody(err) };
        throw err;
      }
    },
    allStats() {
      const context = containers.context();
      return containers
        .containers()
        .filter((e) => containers.snapshot(e))
        .map((e) => containerStats(e, containers.snapshot(e), context));
    },
    onSweep(listener: () => void) {
      sampler.on('sweep', listener);
    },
  };
}

/** Where a channel delivers, fit for a log line: no user, password or token. */
function channelTarget(c: Config['channels'][number]): { name: string; type: string; target: string } {
  const target =
    c.type === 'email' ? `smtp://${c.smtp.host}:${c.smtp.port}${c.smtp.user ? ' (with auth)' : ''}` : redactUrl(c.url);
  return { name: c.name, type: c.type, target };
}

/** vigil never acts on its own container; outside a container there is none. */
function readOwnContainerId(): string | null {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  };
  return ownContainerId(read('/proc/self/cgroup'), read('/proc/self/mountinfo'));
}
