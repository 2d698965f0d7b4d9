import type { ConfigOrigin } from '../http/api-types.js';
/**
 * Spike detection on vigil's own samples, for hosts without Prometheus (and beside it): CPU as a share
 * of the container's limit (of one core when it has none) and memory as its working set's share of
 * its limit, checked on every sweep against a warning and a critical line, sustained for a number of
 * sweeps. All of it pure; src/resources/spike-watch.ts applies it to the sweeps.
 */

export type SpikeLevel = 'normal' | 'warning' | 'critical';
export type SpikeResource = 'cpu' | 'memory';

export interface SpikeThresholds {
  /** Percent of the limit. */
  warn: number;
  crit: number;
  /** Consecutive sweeps a level must hold before it is reported (entering and leaving alike). */
  forSweeps: number;
  /** Points below a line a value must fall before its level is left: no flapping at the line. */
  hysteresis: number;
}

export interface SpikeState {
  level: SpikeLevel;
  /** A different level the value has shown for `streak` sweeps, not yet reported. */
  candidate: SpikeLevel;
  streak: number;
}

export const NORMAL: SpikeState = { level: 'normal', candidate: 'normal', streak: 0 };
const rank: Record<SpikeLevel, number> = { normal: 0, warning: 1, critical: 2 };

/** Pure: the level a value shows, the lines lowered by the hysteresis for levels already reached. */
export function levelOf(value: number, current: SpikeLevel, t: SpikeThresholds): SpikeLevel {
  const line = (level: SpikeLevel, at: number) => (rank[current] >= rank[level] ? at - t.hysteresis : at);
  if (value >= line('critical', t.crit)) return 'critical';
  if (value >= line('warning', t.warn)) return 'warning';
  return 'normal';
}

/** Pure: the state after one sweep's value (null: not read this sweep, nothing changes). */
export function nextSpikeState(state: SpikeState, value: number | null, t: SpikeThresholds): SpikeState {
  if (value === null || !Number.isFinite(value)) return state;
  const shown = levelOf(value, state.level, t);
  if (shown === state.level) return { level: state.level, candidate: state.level, streak: 0 };
  const streak = shown === state.candidate ? state.streak + 1 : 1;
  if (streak >= t.forSweeps) return { level: shown, candidate: shown, streak: 0 };
  return { level: state.level, candidate: shown, streak };
}

export interface SpikeDefaults {
  cpu: { warn: number; crit: number };
  memory: { warn: number; crit: number };
  forSeconds: number;
  /** Where each came from (the page shows it); the built-in defaults without it. */
  origins?: {
    cpu: { warn: ConfigOrigin; crit: ConfigOrigin };
    memory: { warn: ConfigOrigin; crit: ConfigOrigin };
    forSeconds: ConfigOrigin;
  };
}

/** Pure: `2m`, `90s`, `1h` or a number of seconds → seconds; null when it is none of these. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * ({ s: 1, m: 60, h: 3600 } as Record<string, number>)[m[2] ?? 's']!;
}

/**
 * Pure: a container's thresholds, its labels (`vigil.cpu.warn`, `vigil.cpu.crit`, `vigil.memory.warn`,
 * `vigil.memory.crit`, `vigil.spike.for`) over the configured defaults; a label that does not parse
 * is ignored. The duration becomes sweeps of `intervalSeconds`, at least one.
 */
export function thresholdsFor(
  labels: Readonly<Record<string, string>>,
  defaults: SpikeDefaults,
  intervalSeconds: number,
): Record<SpikeResource, SpikeThresholds> {
  const percent = (key: string, fallback: number) => {
    const n = Number(labels[key]);
    return labels[key] !== undefined && Number.isFinite(n) && n > 0 ? n : fallback;
  };
  const forSeconds = parseDuration(labels['vigil.spike.for'] ?? '') ?? defaults.forSeconds;
  const forSweeps = Math.max(1, Math.ceil(forSeconds / intervalSeconds));
  const of = (resource: SpikeResource): SpikeThresholds => {
    const warn = percent(`vigil.${resource}.warn`, defaults[resource].warn);
    const crit = Math.max(warn, percent(`vigil.${resource}.crit`, defaults[resource].crit));
    return { warn, crit, forSweeps, hysteresis: Math.min(5, warn / 4) };
  };
  return { cpu: of('cpu'), memory: of('memory') };
}
