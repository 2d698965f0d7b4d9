import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { EngineEvents } from '../docker/events.js';
import type { Inventory } from '../docker/inventory.js';
import type { Sampler } from '../sampler.js';
import type { IncidentTracker } from '../incidents/tracker.js';
import type { NatsPublisher } from '../streams/nats.js';
import type { Medic } from '../recovery/medic/medic.js';
import type { Dispatcher } from '../notify/dispatcher.js';
import type { AlertBridge } from '../alerts/bridge.js';
import type { StreamLimits } from '../http/stream-limits.js';
import type { SystemReadings } from '../containers/system.js';

export interface SelfMetricSources {
  /** VIGIL_HOST: which host of a fleet these metrics come from. */
  host: string;
  events: EngineEvents;
  inventory: Inventory;
  sampler: Sampler;
  nats: NatsPublisher | null;
  medic: Medic;
  dispatcher: Dispatcher;
  bridge: AlertBridge;
  streams: StreamLimits;
  incidents: IncidentTracker;
  /** The host's last sweep and the notification queue; absent where a test has neither. */
  system?: SystemReadings;
}

/** vigil's own health: is the engine there, how long sweeps take, how much it sees. */
export function registerSelfMetrics(
  registry: Registry,
  { host, events, inventory, sampler, nats, medic, dispatcher, bridge, streams, incidents, system }: SelfMetricSources,
): void {
  if (system) registerSystemMetrics(registry, system);
  const incidentDuration = new Histogram({
    name: 'vigil_incident_duration_seconds',
    help: 'How long incidents lasted, first sign of trouble to healthy and quiet again, by outcome.',
    labelNames: ['outcome'],
    buckets: [10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600],
    registers: [registry],
  });
  incidents.on('closed', (i) =>
    incidentDuration.observe({ outcome: i.outcome }, (Date.parse(i.closedAt!) - Date.parse(i.openedAt)) / 1000),
  );
  new Gauge({
    name: 'vigil_host_info',
    help: "This vigil's host name (VIGIL_HOST), always 1: a fleet's dashboards join it on instance.",
    labelNames: ['host'],
    registers: [registry],
  }).set({ host }, 1);
  new Gauge({
    name: 'vigil_streams_open',
    help: 'SSE streams open now (logs and events).',
    registers: [registry],
    collect() {
      this.set(streams.count);
    },
  });
  new Gauge({
    name: 'vigil_streams_buffered_bytes',
    help: 'Bytes waiting in vigil for stream clients to read, all streams together (bounded by VIGIL_STREAMS_MEMORY_MB).',
    registers: [registry],
    collect() {
      this.set(streams.buffered());
    },
  });
  new Counter({
    name: 'vigil_webhook_requests_total',
    help: 'Alertmanager webhook requests by outcome (recorded, duplicate, rejected).',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [outcome, n] of bridge.requests) this.inc({ outcome }, n);
    },
  });
  new Counter({
    name: 'vigil_alerts_received_total',
    help: 'Alerts received by what vigil made of them: action_requested, recorded (no vigil_action), not_actionable, unknown_container, ambiguous_container, no_container, other_host (neither stored nor acted on).',
    labelNames: ['disposition'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [disposition, n] of bridge.dispositions) this.inc({ disposition }, n);
    },
  });
  const notifications = new Counter({
    name: 'vigil_notifications_total',
    help: 'Notifications by channel and outcome (sent, failed attempt, expired, deduplicated).',
    labelNames: ['channel', 'outcome'],
    registers: [registry],
  });
  dispatcher.on('outcome', (channel, outcome, n) => notifications.inc({ channel, outcome }, n));
  const perChannel = (
    name: string,
    help: string,
    value: (h: ReturnType<Dispatcher['health']>[number]) => number | null,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['channel'],
      registers: [registry],
      collect() {
        this.reset();
        for (const h of dispatcher.health()) {
          const v = value(h);
          if (v !== null) this.set({ channel: h.name }, v);
        }
      },
    });
  perChannel('vigil_outbox_depth', 'Notifications waiting in the outbox, per channel.', (h) => h.pending);
  perChannel(
    'vigil_channel_error_rate',
    'Share of the last 20 delivery attempts that failed, per channel.',
    (h) => h.errorRate,
  );
  perChannel('vigil_channel_latency_seconds', 'Time the last successful delivery took, per channel.', (h) =>
    h.latencyMs === null ? null : h.latencyMs / 1000,
  );
  perChannel('vigil_channel_last_success_timestamp_seconds', 'When the channel last accepted a message.', (h) =>
    h.lastSuccessAt ? Date.parse(h.lastSuccessAt) / 1000 : null,
  );

  const actions = new Counter({
    name: 'vigil_recovery_actions_total',
    help: 'Recovery actions taken, by action (restart, start, recreate, pull) and outcome (success, failure).',
    labelNames: ['action', 'outcome'],
    registers: [registry],
  });
  medic.on('action', ({ action, outcome }) => actions.inc({ action, outcome }));
  const perContainer = (
    name: string,
    help: string,
    value: (s: ReturnType<Medic['recoveryStates']>[number]) => number | null,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['id', 'name'],
      registers: [registry],
      collect() {
        this.reset();
        for (const entry of medic.recoveryStates()) {
          const v = value(entry);
          if (v !== null) this.set({ id: entry.record.shortId, name: entry.record.name }, v);
        }
      },
    });
  perContainer(
    'vigil_recovery_attempts',
    'Recovery actions on the container since it last ran healthy for the reset period.',
    (e) => e.state.attempts || null,
  );
  perContainer('vigil_recovery_backoff_seconds', 'Seconds until vigil may act on the container again.', (e) =>
    e.state.attempts > 0 ? Math.max(0, (e.state.nextAt - Date.now()) / 1000) : null,
  );
  perContainer('vigil_recovery_gave_up', '1 when vigil has given up recovering the container.', (e) =>
    e.state.gaveUpAt !== null ? 1 : null,
  );

  new Gauge({
    name: 'vigil_engine_up',
    help: "1 while the engine's event stream is connected and the inventory is in sync with it.",
    registers: [registry],
    collect() {
      this.set(events.connected && inventory.synced ? 1 : 0);
    },
  });
  new Gauge({
    name: 'vigil_containers_seen',
    help: "Containers in vigil's inventory, in any state.",
    registers: [registry],
    collect() {
      this.set(inventory.size);
    },
  });
  const eventsSeen = new Counter({
    name: 'vigil_engine_events_total',
    help: 'Container events received from the engine, by action.',
    labelNames: ['action'],
    registers: [registry],
  });
  events.on('event', (e) => eventsSeen.inc({ action: e.action }));

  const reconnects = new Counter({
    name: 'vigil_engine_reconnects_total',
    help: "Times the engine's event stream was lost.",
    registers: [registry],
  });
  events.on('disconnected', () => reconnects.inc());

  const duration = new Histogram({
    name: 'vigil_collection_duration_seconds',
    help: "Time to read every running container, per stats source (cgroup files or the engine's stats API).",
    labelNames: ['source'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const unread = new Gauge({
    name: 'vigil_collection_unread_containers',
    help: 'Running containers the last sweep could read from no source.',
    registers: [registry],
  });
  sampler.on('sweep', (report) => {
    for (const s of report.bySource) duration.observe({ source: s.source }, s.seconds);
    unread.set(report.unread);
  });

  if (nats) {
    new Gauge({
      name: 'vigil_nats_connected',
      help: '1 while vigil is connected to its NATS server.',
      registers: [registry],
      collect() {
        this.set(nats.connected ? 1 : 0);
      },
    });
    for (const [name, help, counts] of [
      ['vigil_nats_published_total', 'Messages handed to the NATS client, by subject.', nats.published],
      [
        'vigil_nats_dropped_total',
        'Messages the NATS client refused (its reconnect buffer was full), by subject.',
        nats.failed,
      ],
    ] as const) {
      new Counter({
        name,
        help,
        labelNames: ['subject'],
        registers: [registry],
        collect() {
          this.reset();
          for (const [subject, n] of counts) this.inc({ subject }, n);
        },
      });
    }
  }
}

/** The host's CPU and memory as vigil reads them from /proc, and the notification queue: the shipped rules use them. */
function registerSystemMetrics(registry: Registry, system: SystemReadings): void {
  const gauge = (name: string, help: string, value: () => number | null) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        const v = value();
        if (v !== null) this.set(v);
      },
    });
  gauge(
    'vigil_host_cpu_utilisation_ratio',
    "Busy share of all the host's cores over the last sweep (from /proc/stat, as top computes it), 0 to 1.",
    () => system.host().cpuUtilisation,
  );
  gauge('vigil_host_memory_total_bytes', "The host's memory (MemTotal).", () => system.host().memoryTotalBytes);
  gauge(
    'vigil_host_memory_available_bytes',
    "The host's memory available to programs without swapping (MemAvailable).",
    () => system.host().memoryAvailableBytes,
  );
  gauge(
    'vigil_notifications_pending',
    'Notifications waiting in the outbox, all channels together.',
    () => system.notifications().pending,
  );
  gauge(
    'vigil_notifications_oldest_pending_seconds',
    'How long the oldest notification in the outbox has waited (0 when none waits).',
    () => system.notifications().oldestPendingSeconds,
  );
}
