import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type Koa from 'koa';
import type { Cron } from 'croner';
import type { Logger } from 'pino';
import { AlertBridge } from './alerts/bridge.js';
import { instancePattern } from './alerts/target.js';
import { attentionContext } from './alerts/attention.js';
import { ownAlertSenderFor, type OwnAlerts } from './alerts/own/assemble.js';
import type { Config } from './config.js';
import type { ContainersSource } from './containers/source.js';
import { fleetEntry } from './containers/system.js';
import { HealthTrends } from './history/health-trends.js';
import { StateTransitions } from './containers/event-transitions.js';
import { containerTransitions } from './containers/transitions.js';
import type { ContainerEngine } from './docker/engine.js';
import type { EngineEvents } from './docker/events.js';
import type { Inventory } from './docker/inventory.js';
import { statsSources } from './docker/stats/select.js';
import { watchEngine } from './docker/watch.js';
import { newGuessLimiter } from './http/guess-limiter.js';
import { createHttpApp, hostPolicyFor, streamLimitsFor } from './http/assemble.js';
import type { StreamLimits } from './http/stream-limits.js';
import { maintenanceOptions, scheduleMaintenance } from './jobs.js';
import { redactUrl, type LogSecrets } from './logger.js';
import { channelSecrets } from './redact.js';
import { createMetrics, type MetricsEndpoint } from './metrics/registry.js';
import { assembleNotifications, channelTarget } from './notify/assemble.js';
import type { Dispatcher } from './notify/dispatcher.js';
import { assembleRecovery } from './recovery/assemble.js';
import type { IntentTracker } from './recovery/intent/intent-tracker.js';
import type { Medic } from './recovery/medic/medic.js';
import { currentSnapshot, Sampler } from './sampler.js';
import type { SettingOrigins } from './load-config.js';
import { spikeWatchFor } from './resources/spike-watch.js';
import { watchHost } from './resources/host-assemble.js';
import { HttpServer } from './server.js';
import { readinessChecks, vigilVersion } from './readiness.js';
import { Liveness } from './liveness.js';
import { registerLivenessMetrics } from './metrics/liveness.js';
import { LiveHub } from './http/ws/hub.js';
import { alertsBody } from './http/routes/alerts.js';
import { HistoryDaysStore } from './store/history-days.js';
import { LogPump } from './logs/pump.js';
import { Prober } from './probes/prober.js';
import { verdictChanged } from './probes/state.js';
import { openStore, storePath, storeWritable, type Db } from './store/db.js';
import { watchStoreFile } from './store/store-file.js';
import { RevokedSessionStore } from './store/revoked-sessions.js';
import { ResourceSeriesStore } from './store/resource-series.js';
import { RecentEventStore } from './store/recent-events.js';
import { registerSeriesMetrics, SeriesRecorder } from './history/series-recorder.js';
import { PageSettingsStore } from './store/page-settings.js';
import { ChannelSettingsSource } from './notify/channel-settings.js';
import { createNotifier } from './notify/channels/index.js';
import { EventBus } from './streams/event-bus.js';
import type { NatsPublisher } from './streams/nats.js';
import { natsPublisherFor } from './streams/nats-sources.js';

/** The longest vigil answers "ask again" (503) for a container it has not read yet, from its start. */
export const FIRST_READ_WAIT_MS = 60_000;
export interface Vigil {
  app: Koa;
  metrics: MetricsEndpoint;
  engine: ContainerEngine;
  events: EngineEvents;
  inventory: Inventory;
  sampler: Sampler;
  bus: EventBus;
  streamLimits: StreamLimits;
  /** Followed logs, one engine stream per container. */
  logPump: LogPump;
  /** The label-declared probes (vigil.probe.*). */
  prober: Prober;
  nats: NatsPublisher | null;
  medic: Medic;
  intent: IntentTracker;
  dispatcher: Dispatcher;
  db: Db;
  /** Starts following the engine and sampling; resolves at once (the engine may come later). */
  start(): void;
  /** Whether sweeps and the engine's event stream are live (readiness, metrics, systemd's watchdog). */
  liveness: Liveness;
  /** The alerts vigil raises itself; `probe` is the hook container probes report through. */
  ownAlerts: OwnAlerts;
  /** Alertmanager webhook requests by outcome. */
  bridgeRequests(): Map<string, number>;
  /** Open HTTP connections (SSE clients among them). */
  connections(): Promise<number>;
  /** Listens on host:port; resolves with the bound address. */
  listen(host: string, port: number): Promise<AddressInfo>;
  stop(): Promise<void>;
}

/** How long the fleet view waits for the other vigils' answers over NATS. */
const FLEET_WAIT_MS = 750;

/** What vigil is built on besides its configuration: the edges a test replaces. */
export interface VigilDeps {
  logger: Logger;
  /** The engine watched and acted on; without one, dockerode on the configured DOCKER_HOST. */
  engine?: ContainerEngine;
  /** Milliseconds since the epoch, for the medic's and the dispatcher's decisions; Date.now without one. */
  clock?: () => number;
  /** vigil's own container, never acted on; without it, read from /proc/self (null outside a container). */
  selfId?: string | null;
  /** Which settings the file or the environment set, shown beside their values; all defaults without it. */
  settingOrigins?: SettingOrigins;
  /** The logger's secrets: each channel added on the page adds its own, censored from then on. */
  logSecrets?: LogSecrets;
}

/** Wires vigil's parts from a configuration. main.ts adds signals and the process around it. */
export function createVigil(config: Config, deps: VigilDeps): Vigil {
  const { logger, clock = Date.now } = deps;
  const host = config.host ?? hostname();
  const watched = watchEngine(config, logger, deps.engine);
  const { engine, events, inventory, hostMemoryBytes, engineVersion, problem: engineProblem } = watched;
  const sources = statsSources(config, engine, hostMemoryBytes, logger);
  const samplerLogger = logger.child({ component: 'sampler' });
  const sampler = new Sampler(inventory, sources, samplerLogger, config.sampleIntervalMs);
  const snapshot = (e: { record: Parameters<typeof currentSnapshot>[1] }) => currentSnapshot(sampler, e.record);

  const bus = new EventBus(config.eventBufferSize, undefined, host);
  publishTransitions(inventory, events, bus);

  const db = openStore(config.dataDir);
  const storeFile = watchStoreFile(db, storePath(config.dataDir), logger.child({ component: 'store' }));
  const recovery = assembleRecovery(config, { engine, events, inventory, db, bus, clock, selfId: deps.selfId }, logger);
  const { stores, intent, medic } = recovery;
  const trends = new HealthTrends(stores.history, 60_000, clock);
  const startedAt = clock();
  // vigil's first read of the engine's containers: until it ends, a name not known may be one not read
  // yet. An engine that never lets it end (unreachable, or listing nothing) does not hold answers back
  // for longer than FIRST_READ_WAIT_MS: past it, unknown is unknown again.
  const stillReading = () => !inventory.everSynced && clock() - startedAt < FIRST_READ_WAIT_MS;
  const containers: ContainersSource = {
    containers: () => inventory.all(),
    snapshot,
    context: () => ({
      now: new Date(),
      host,
      hostMemoryBytes: hostMemoryBytes(),
      labelAllowlist: config.labels,
      engineVersion: engineVersion(),
      healthTrend: (entry) => trends.of(entry),
    }),
    stillReading,
  };
  const { outbox, threads, dispatcher } = assembleNotifications(config, db, bus, logger, clock);
  const bridge = new AlertBridge(
    stores.alerts,
    bus,
    medic,
    () => inventory.all().map((e) => e.record),
    logger.child({ component: 'alerts' }),
    {
      containerLabels: config.alertContainerLabels,
      alertmanagerUrls: config.alertmanagerUrl ?? [],
      instancePattern: instancePattern(config.alertInstance),
      attention: () => attentionContext(inventory.all(), medic.recoveryStates(), config.autoheal),
      host,
      stillReading,
    },
  );
  const ownAlerts = ownAlertSenderFor(config, host, {
    bus,
    containers: () => inventory.all(),
    recoveryStates: () => medic.recoveryStates(),
    channels: () => dispatcher.health(),
    logger: logger.child({ component: 'own-alerts' }),
  });

  const alertCounts = () => stores.alerts.activeCounts();
  const pageSettings = new PageSettingsStore(db);
  const spikes = spikeWatchFor(
    config,
    {
      inventory,
      sampler,
      bus,
      alerts: stores.alerts,
      medic,
      hostMemoryBytes,
      logger: logger.child({ component: 'spikes' }),
    },
    pageSettings,
    deps.settingOrigins,
  );
  const hostWatch = watchHost(config, {
    sampler,
    bus,
    alerts: stores.alerts,
    outbox,
    host,
    logger: logger.child({ component: 'host' }),
  });
  const nats = natsPublisherFor(config, host, { containers, inventory, sampler, alertCounts, bus }, logger);

  containers.system = hostWatch.readings;
  const series = new ResourceSeriesStore(db);
  const seriesRecorder = new SeriesRecorder({
    inventory,
    sampler,
    store: series,
    host: hostWatch.readings,
    logger: logger.child({ component: 'series' }),
  });
  const recentEvents = new RecentEventStore(db, logger.child({ component: 'events' }));
  let unfollowEvents: (() => void) | null = null;
  const streamLimits = streamLimitsFor(config);
  const guesses = newGuessLimiter();
  // a follower may hold half its stream's share in the pump; the SSE response holds the rest
  const logPump = new LogPump(engine, logger.child({ component: 'logs' }), {
    maxBehindBytes: streamLimits.perStreamBytes / 2,
  });
  const prober = new Prober(
    { engine, inventory, logPump, logger: logger.child({ component: 'probes' }) },
    { concurrency: config.probeConcurrency, procRoot: config.procRoot, selfId: deps.selfId ?? null },
  );
  const generations = exposureGeneration(inventory, sampler);
  const hostPolicy = hostPolicyFor(config, [hostname(), config.host]);
  const sessions = new RevokedSessionStore(db);
  const metrics = createMetrics(
    { containers: () => inventory.all(), snapshot, hostMemoryBytes, ...generations },
    { labels: config.labels },
    {
      host,
      events,
      inventory,
      sampler,
      nats,
      medic,
      dispatcher,
      bridge,
      streams: streamLimits,
      incidents: recovery.incidents,
      system: hostWatch.readings,
    },
  );
  registerSeriesMetrics(metrics.registry, seriesRecorder);
  const liveness = new Liveness({ events, sampler, intervalMs: config.sampleIntervalMs });
  registerLivenessMetrics(metrics.registry, liveness);
  const app = createHttpApp(config, {
    logger: logger.child({ component: 'http' }),
    metrics,
    containers,
    engine,
    logPump,
    bus,
    dispatcher,
    bridge,
    streamLimits,
    guesses,
    history: stores.history,
    historyDays: new HistoryDaysStore(db),
    removedContainers: stores.removed,
    hostPolicy,
    sessions,
    containerActions: recovery.personActions,
    series: { store: series, sampleIntervalSeconds: config.sampleIntervalMs / 1000, size: () => seriesRecorder.size() },
    recentEvents,
    settings: {
      thresholds: spikes.thresholds,
      channels: new ChannelSettingsSource(
        config.channels,
        pageSettings,
        dispatcher,
        (channel) => {
          deps.logSecrets?.add(channelSecrets(channel));
          return createNotifier(channel, { threads });
        },
        (message, fields) => logger.warn(fields, message),
      ),
    },
    fleet: { own: () => fleetEntry(containers, alertCounts()), others: () => nats?.gatherFleet(FLEET_WAIT_MS) ?? null },
    incidents: recovery.incidents,
    readiness: readinessChecks({
      engine: engineProblem,
      events,
      sampler,
      liveness,
      hub: () => hub.problem(),
      store: () => storeFile.check() ?? storeWritable(db),
      intervalMs: config.sampleIntervalMs,
      memoryPercent: config.readyMemoryPercent,
    }),
    about: { version: vigilVersion(), host, startedAt: Date.now() },
  });

  const hub = new LiveHub({
    containers,
    bus,
    limits: streamLimits,
    guesses,
    apiToken: config.apiToken,
    hostPolicy,
    sessions,
    logger: logger.child({ component: 'ws' }),
    alertCounts,
    alerts: () => alertsBody(bridge),
    channels: () => dispatcher.health(),
    onSweep: (listener) => sampler.on('sweep', listener),
    heartbeatMs: config.sseHeartbeatMs,
    logPump,
    logsTailCap: config.logsTailMax,
  });
  const server = new HttpServer(app, hub.handleUpgrade);
  let sweep: Cron | null = null;
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
    logPump,
    ownAlerts,
    liveness,
    prober,
    start() {
      logConfiguration(config, sources, logger);
      // first: the events of the start itself belong in the feed
      unfollowEvents ??= recentEvents.follow(bus);
      storeFile.start();
      events.start();
      sampler.start();
      nats?.start();
      recovery.start();
      prober.start();
      spikes.start();
      hostWatch.start();
      seriesRecorder.start();
      dispatcher.start();
      ownAlerts.sender?.start();
      sweep = scheduleMaintenance(medic, intent, { ...stores, outbox, threads }, maintenanceOptions(config), logger);
    },
    bridgeRequests: () => bridge.requests,
    connections: () => server.connections(),
    listen: (host, port) => server.listen(host, port),
    async stop() {
      hub.close();
      const closing = server.close();
      sweep?.stop();
      await ownAlerts.sender?.stop();
      spikes.stop();
      prober.stop();
      hostWatch.stop();
      seriesRecorder.stop();
      metrics.close();
      unfollowEvents?.();
      await Promise.all([closing, sampler.stop(), events.stop(), nats?.stop(), recovery.stop()]);
      await dispatcher.stop();
      storeFile.stop();
      db.close();
    },
  };
}

/** What vigil runs with, once at start: where it reads, where it tells, without credentials. */
function logConfiguration(config: Config, sources: readonly { name: string }[], logger: Logger): void {
  const channels = config.channels.map(channelTarget);
  const intervalSeconds = config.sampleIntervalMs / 1000;
  logger.info({ sources: sources.map((s) => s.name), intervalSeconds }, 'sampling resources');
  const nats = config.natsUrl ? redactUrl(config.natsUrl) : null;
  logger.info({ engine: redactUrl(config.dockerHost), nats, channels }, 'configuration');
}

/**
 * The container events that streams and notifications carry: every state the engine reports, from
 * its events, in its order (event-transitions.ts); health as the inventory's inspections show it.
 */
function publishTransitions(inventory: Inventory, events: EngineEvents, bus: EventBus): void {
  const states = new StateTransitions((event) => bus.publish(event));
  events.on('event', (event) => states.onEvent(event, inventory.get(event.id)?.record.state ?? null));
  const publishHealth = (changes: ReturnType<typeof containerTransitions>) =>
    changes.forEach((e) => e.type === 'container.health' && bus.publish(e));
  inventory.on('added', (entry) => {
    states.onFound(entry.record);
    publishHealth(containerTransitions(undefined, entry));
  });
  // the kill that makes an exit a stop is judged against the exit's own time, so one entry serves both
  inventory.on('changed', (entry, before) => publishHealth(containerTransitions({ ...entry, record: before }, entry)));
  inventory.on('probed', (entry, before) => publishHealth(containerTransitions(before, entry)));
  inventory.on('removed', (entry) => states.onLost(entry.record));
}

/**
 * Numbers that change whenever what the exposition is built from does: `generation` with the inventory
 * or a sweep, `inventoryGeneration` with the inventory alone.
 */
function exposureGeneration(
  inventory: Inventory,
  sampler: Sampler,
): { generation: () => number; inventoryGeneration: () => number } {
  let generation = 0;
  let inventoryGeneration = 0;
  const bumpInventory = () => {
    generation++;
    inventoryGeneration++;
  };
  for (const event of ['added', 'changed', 'removed'] as const) inventory.on(event, bumpInventory);
  inventory.on('probed', (after, before) => verdictChanged(before.probe, after.probe) && bumpInventory());
  sampler.on('sweep', () => void generation++);
  return { generation: () => generation, inventoryGeneration: () => inventoryGeneration };
}
