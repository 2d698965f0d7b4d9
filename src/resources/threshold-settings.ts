/**
 * Pure: a container's spike thresholds from three places, each over the one before: vigil's
 * configuration (file, environment or default, each said as such), the container's labels (`vigil.cpu.warn` …), and the
 * values set on the page (kept in the store). Every value says where it came from; a page value
 * removed gives the value back to the label or the configuration.
 */
import type { ConfigOrigin, Sourced, ThresholdSettings, ThresholdsChange } from '../http/api-types.js';
import { parseDuration, type SpikeDefaults, type SpikeResource, type SpikeThresholds } from './spikes.js';

/** What the page has set for one container: only the values it set. */
export interface PageThresholds {
  cpu?: { warn?: number; crit?: number };
  memory?: { warn?: number; crit?: number };
  sustainSeconds?: number;
}

const resources: readonly SpikeResource[] = ['cpu', 'memory'];

function labelPercent(labels: Readonly<Record<string, string>>, key: string): number | undefined {
  const text = labels[key];
  const n = Number(text);
  return text !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
}

function pick<T>(config: T, origin: ConfigOrigin, label: T | undefined, page: T | undefined): Sourced<T> {
  if (page !== undefined) return { value: page, source: 'page' };
  if (label !== undefined) return { value: label, source: 'label' };
  return { value: config, source: origin };
}

/** Pure: the thresholds in force and where each comes from. */
export function effectiveThresholds(
  labels: Readonly<Record<string, string>>,
  defaults: SpikeDefaults,
  page: PageThresholds | undefined,
): ThresholdSettings {
  const origin = (resource: SpikeResource, line: 'warn' | 'crit') => defaults.origins?.[resource][line] ?? 'default';
  const lines = (resource: SpikeResource) => ({
    warn: pick(
      defaults[resource].warn,
      origin(resource, 'warn'),
      labelPercent(labels, `vigil.${resource}.warn`),
      page?.[resource]?.warn,
    ),
    crit: pick(
      defaults[resource].crit,
      origin(resource, 'crit'),
      labelPercent(labels, `vigil.${resource}.crit`),
      page?.[resource]?.crit,
    ),
  });
  const forLabel = parseDuration(labels['vigil.spike.for'] ?? '') ?? undefined;
  return {
    cpu: lines('cpu'),
    memory: lines('memory'),
    sustainSeconds: pick(
      defaults.forSeconds,
      defaults.origins?.forSeconds ?? 'default',
      forLabel,
      page?.sustainSeconds,
    ),
  };
}

/** Pure: the detector's lines from the thresholds in force; the sustain becomes sweeps, at least one. */
export function spikeThresholdsOf(
  settings: ThresholdSettings,
  intervalSeconds: number,
): Record<SpikeResource, SpikeThresholds> {
  const forSweeps = Math.max(1, Math.ceil(settings.sustainSeconds.value / intervalSeconds));
  const of = (resource: SpikeResource): SpikeThresholds => {
    const warn = settings[resource].warn.value;
    const crit = Math.max(warn, settings[resource].crit.value);
    return { warn, crit, forSweeps, hysteresis: Math.min(5, warn / 4) };
  };
  return { cpu: of('cpu'), memory: of('memory') };
}

/** Pure: the page's values after a change: a number sets one, null removes it, absent leaves it. */
export function applyThresholdsChange(before: PageThresholds | undefined, change: ThresholdsChange): PageThresholds {
  const after: PageThresholds = {};
  for (const resource of resources) {
    const lines: { warn?: number; crit?: number } = { ...before?.[resource] };
    for (const line of ['warn', 'crit'] as const) {
      const given = change[resource]?.[line];
      if (given === null) delete lines[line];
      else if (given !== undefined) lines[line] = given;
    }
    if (Object.keys(lines).length > 0) after[resource] = lines;
  }
  const sustain = change.sustainSeconds === undefined ? before?.sustainSeconds : change.sustainSeconds;
  if (sustain !== null && sustain !== undefined) after.sustainSeconds = sustain;
  return after;
}
