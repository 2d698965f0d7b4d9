/**
 * Pure pieces of the Prometheus text exposition format (version 0.0.4), for the per-container
 * families that are rendered from the snapshot rather than through prom-client's per-series objects.
 */

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

export function metricHeader(name: string, help: string, type: 'gauge' | 'counter' | 'histogram' | 'summary'): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}

/** `k1="v1",k2="v2"` with values escaped, in the given order. */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  let out = '';
  for (const key in labels) out += `${out ? ',' : ''}${key}="${escapeLabelValue(labels[key]!)}"`;
  return out;
}

/** One family as prom-client's getMetricsAsJSON() gives it: histograms' series carry their own metricName. */
export interface FamilyValues {
  name: string;
  help: string;
  type: 'gauge' | 'counter' | 'histogram' | 'summary';
  values: readonly { labels: Readonly<Partial<Record<string, string | number>>>; value: number; metricName?: string }[];
}

/** Pure: a family's exposition text from its JSON, the same series and values. */
export function familyText(family: FamilyValues): string {
  let out = metricHeader(family.name, family.help, family.type);
  for (const { labels, value, metricName } of family.values) {
    let formatted = '';
    for (const key in labels)
      formatted += `${formatted ? ',' : ''}${key}="${escapeLabelValue(String(labels[key] ?? ''))}"`;
    out += `${metricName ?? family.name}${formatted ? `{${formatted}}` : ''} ${formatValue(value)}\n`;
  }
  return out;
}
