import { settingDefinitions, type SettingDefinition } from './config.js';

// The README's configuration table, generated from the settings' definitions (`npm run docs:config`);
// test/config-table.test.ts fails when README.md holds another.

export const tableStart = '<!-- config-table: generated from src/config.ts by `npm run docs:config`; edit there -->';
export const tableEnd = '<!-- /config-table -->';

/** Pure: the Markdown table of every setting the environment can set, in the definitions' order. */
export function configTable(definitions: readonly SettingDefinition[] = settingDefinitions): string {
  const rows = definitions.flatMap((d) => (d.env ? [row(d.env, d)] : []));
  return ['| variable (file key) | meaning | unit | default |', '|---|---|---|---|', ...rows].join('\n');
}

function row(env: string, d: SettingDefinition): string {
  return `| \`${env}\` (\`${d.file ?? d.key}\`) | ${d.doc} | ${d.unit ?? ''} | ${shownDefault(d)} |`;
}

/** Pure: the default as a user writes it: a duration in its unit, a list comma-separated, `none` when unset. */
export function shownDefault(d: SettingDefinition): string {
  if (d.shownDefault !== undefined) return d.shownDefault;
  const parsed = d.schema.safeParse(undefined);
  if (!parsed.success || parsed.data === undefined) return 'none';
  const value: unknown = parsed.data;
  if (Array.isArray(value)) return value.length === 0 ? 'none' : `\`${value.join(',')}\``;
  if (typeof value === 'number' && d.msPerUnit !== undefined) return `\`${value / d.msPerUnit}\``;
  return `\`${String(value)}\``;
}

/** Pure: `markdown` with the text between the table's markers replaced by `table`; throws without the markers. */
export function withTable(markdown: string, table: string): string {
  const start = markdown.indexOf(tableStart);
  const end = markdown.indexOf(tableEnd);
  if (start < 0 || end < start) throw new Error(`the markers ${tableStart} … ${tableEnd} are missing or out of order`);
  return `${markdown.slice(0, start + tableStart.length)}\n${table}\n${markdown.slice(end)}`;
}
