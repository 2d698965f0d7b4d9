/**
 * The JSON API's answers, defined once: the routes build their bodies typed as these, and the page
 * (web/) imports them type-only, so a field renamed on one side fails the type check of both.
 * Shapes that already live beside the code that computes them are re-exported from here.
 */
import type { z } from 'zod';
import type { ContainerSummary } from '../containers/view.js';
import type { ContainerState, HealthStatus } from '../docker/types.js';
import type { Incident } from '../incidents/incident.js';
import type { ChannelHealth } from '../notify/channel-state.js';
import type { channelSchema, notifyEvents, severities } from '../notify/channel-config.js';
import type { ProbeView } from '../probes/view.js';
import type { VigilEvent } from '../streams/events.js';

export type { ContainerSummary, HealthSummary, ResourceView } from '../containers/view.js';
export type { Incident } from '../incidents/incident.js';
export type { ChannelHealth } from '../notify/channel-state.js';
export type { VigilEvent } from '../streams/events.js';
export type { ReadinessBody, CheckResult } from './routes/probes.js';

/** CPU as cores in use (1 = one core busy), beside the container's limit in cores; null: no limit. */
export interface CpuReading {
  cores: number;
  limitCores: number | null;
}

/** Memory: the working set in bytes (what `docker stats` shows) and the limit; null: no limit of its own. */
export interface MemoryReading {
  usageBytes: number;
  limitBytes: number | null;
  /** The host's memory, what an unlimited container is bounded by. */
  hostBytes: number;
}

/**
 * The container's state with its times, so that a stopped one reads "exited 3 min ago (exit 1)":
 * `exitedAt` and `exitCode` are null while it runs or before it ever ran.
 */
export interface StateView {
  status: ContainerState;
  startedAt: string | null;
  exitedAt: string | null;
  exitCode: number | null;
}

/** Where a health comes from: the image's own HEALTHCHECK, vigil's probes (vigil.probe.*), or its state. */
export type { HealthSource } from '../containers/health.js';

/** GET /api/v1/containers/:id/health. */
export interface ContainerDetail extends ContainerSummary {
  fullId: string;
  healthCheck: {
    status: HealthStatus;
    failingStreak: number;
    log: { start: string; end: string; exitCode: number; output: string }[];
  } | null;
  exitCode: number | null;
  error: string | null;
  /** The label-declared probes, beside the engine's HEALTHCHECK when it has one too (that stays the truth). */
  probe: ProbeView | null;
  /** Probe labels that could not be used (an unparsable duration, an invalid expression). */
  probeError: string | null;
  oomKilled: boolean;
  oomKills: number;
  restartPolicy: { name: string; maximumRetryCount: number };
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** GET /api/v1/containers/:id/stats: raw figures in base units beside the percentages. */
export interface ContainerStats {
  host: string;
  id: string;
  name: string;
  status: ContainerState;
  sampledAt: string | null;
  source: string | null;
  cpu: { percent: number; cores: number; usageSeconds: number; limitCores: number | null };
  memory: { usageBytes: number; workingSetBytes: number; limitBytes: number; limited: boolean; percent: number };
  network: { rxBytes: number; txBytes: number };
  block: { readBytes: number; writeBytes: number };
  pids: number;
}

/** GET /api/v1/system. */
export interface SystemAnswer {
  timestamp: string;
  host: {
    name: string;
    cpus: number;
    cpuPercent: number;
    memoryTotalBytes: number;
    memoryAvailableBytes: number;
    memoryPercent: number;
    load: Record<1 | 5 | 15, number>;
  };
  engine: { version: string | null };
  containers: { total: number } & Partial<Record<ContainerState, number>>;
  alerts: { total: number; bySeverity: Record<string, number> };
  /** The notifications queued in the outbox, not yet delivered. */
  notifications: { pending: number; oldestPendingSeconds: number };
  channels: { total: number; healthy: number };
  /** The resource history's size in the store; null where vigil keeps none (tests of the API alone). */
  resourceHistory: { rows: number } | null;
}

// --- resource history (GET /api/v1/containers/:id/series, GET /api/v1/system/series) ---

export const seriesRanges = ['1h', '6h', '24h', '7d'] as const;
export type SeriesRange = (typeof seriesRanges)[number];

/** One point of resource history; rates are per second over the time since the point before. */
export interface SeriesPoint {
  /** Milliseconds since the epoch: the end of the sweep, or of the minute or ten minutes it stands for. */
  at: number;
  cpuCores: number;
  memoryBytes: number;
  /** Null: no limit (for the host, its total memory). */
  memoryLimitBytes: number | null;
  networkRxBytesPerSecond: number;
  networkTxBytesPerSecond: number;
  blockReadBytesPerSecond: number;
  blockWriteBytesPerSecond: number;
}

/** Who asked for an action: a person on the page or the API, an Alertmanager alert, or the medic. */
export type ActionRequester = 'page' | 'api' | 'alert' | 'medic';

/** Something that happened, on the same time axis as the points. */
export interface SeriesMarker {
  at: number;
  kind: 'health' | 'restart' | 'action';
  /** A person's words: "unhealthy", "restart succeeded: crashed (exit code 1)". */
  what: string;
  /** For actions: who asked. */
  by?: ActionRequester;
  container?: { id: string; name: string };
}

export interface SeriesAnswer {
  entity: 'container' | 'system';
  /** The container's short id, or the host's name. */
  id: string;
  name: string;
  range: SeriesRange;
  /** The spacing of the points: a sweep (1h), a minute (6h, 24h) or ten minutes (7d). */
  stepSeconds: number;
  from: number;
  to: number;
  /** The limits to draw: cores and bytes, null when there is none. */
  limits: { cpuCores: number | null; memoryBytes: number | null };
  points: SeriesPoint[];
  markers: SeriesMarker[];
}

// --- the overview ---

/** GET /api/v1/events/recent: the latest events, oldest first, so that the live feed is filled on load. */
export interface RecentEventsAnswer {
  events: VigilEvent[];
}

/** GET /api/v1/incidents. */
export interface IncidentsAnswer {
  open: Incident[];
  recent: Incident[];
}

/** GET /api/v1/channels. */
export interface ChannelsAnswer {
  channels: ChannelHealth[];
}

// --- settings the page can change (GET/PUT /api/v1/settings/...) ---

/** Where vigil's own setting came from: its built-in default, the environment, or the VIGIL_CONFIG file. */
export type ConfigOrigin = 'default' | 'env' | 'file';

/** Where a setting's value came from: vigil's configuration (as ConfigOrigin says), a label, the page. */
export type SettingSource = ConfigOrigin | 'label' | 'page';

export interface Sourced<T> {
  value: T;
  source: SettingSource;
}

export interface SpikeLines {
  /** Percent of the limit (of one core for CPU without a limit). */
  warn: Sourced<number>;
  crit: Sourced<number>;
}

export interface ThresholdSettings {
  cpu: SpikeLines;
  memory: SpikeLines;
  /** How long a level must hold before it is reported. */
  sustainSeconds: Sourced<number>;
}

/** The page's own values for a container; null (or absent) gives the value back to the label or file. */
export interface ThresholdsChange {
  cpu?: { warn?: number | null; crit?: number | null };
  memory?: { warn?: number | null; crit?: number | null };
  sustainSeconds?: number | null;
}

/** GET /api/v1/settings/thresholds/:id. */
export interface ContainerThresholdsAnswer {
  id: string;
  name: string;
  thresholds: ThresholdSettings;
}

export type NotifyEventName = (typeof notifyEvents)[number];
export type Severity = (typeof severities)[number];

/** A channel as the settings show it: secrets (passwords, tokens, signing keys, URLs' paths) never shown back. */
export interface ChannelSettings {
  name: string;
  type: 'email' | 'webhook' | 'slack';
  /** Null: every event. */
  events: Sourced<NotifyEventName[] | null>;
  minSeverity: Sourced<Severity>;
  /** Where it delivers, redacted: "https://hooks.example/…", "ops@example.com". */
  target: string;
  /**
   * The secrets it holds, by the name of their field ("url", "secret", "headers.authorization",
   * "token", "smtp.pass"), never their values: the page shows each as "••••".
   */
  secrets: string[];
  /** A channel added on the page can be removed there; one from vigil's configuration file only changed. */
  addedBy: 'file' | 'page';
}

/**
 * POST /api/v1/settings/channels: a channel as vigil's configuration file has it under `channels:`
 * (src/notify/channel-config.ts), of a type the dispatcher knows: webhook, slack or email.
 */
export type NewChannel = z.input<typeof channelSchema>;

/** PATCH /api/v1/settings/channels/:name: null gives a value back to the file. */
export interface ChannelChange {
  events?: NotifyEventName[] | null;
  minSeverity?: Severity | null;
}

/** GET /api/v1/settings. */
export interface SettingsAnswer {
  thresholds: { defaults: ThresholdSettings; containers: ContainerThresholdsAnswer[] };
  channels: ChannelSettings[];
}
