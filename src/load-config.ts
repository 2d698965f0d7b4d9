import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { configSchema, settingDefinitions, type Config, type SettingDefinition, type SettingKey } from './config.js';
import type { ConfigOrigin } from './http/api-types.js';

// Where the configuration comes from: an optional file (VIGIL_CONFIG), then the environment, which wins.

const fromEnvironment = settingDefinitions.flatMap((d) => (d.env ? [{ env: d.env, key: d.key }] : []));
/** The file's keys: a setting's own, or the one naming its unit (`sampleIntervalSeconds` for `sampleIntervalMs`). */
const byFileKey = new Map<string, SettingKey>(settingDefinitions.map((d) => [d.file ?? d.key, d.key]));
const byKey = new Map<string, SettingDefinition>(settingDefinitions.map((d) => [d.key, d]));

/** How a problem names where it is, as the user wrote it: the variable and file key, or the file's path to it. */
function whereIn(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'configuration';
  const setting = byKey.get(String(path[0]));
  if (setting?.env) return `${setting.env} (${setting.file ?? setting.key})`;
  return [setting?.file ?? path[0], ...path.slice(1)].map(String).join('.');
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Pure: merges file values and environment (environment wins) and validates, listing every problem at once. */
export function parseConfig(env: NodeJS.ProcessEnv, file: Record<string, unknown> = {}): Config {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(file)) {
    const key = byFileKey.get(name);
    if (key) raw[key] = value;
    else problems.push(`${name}: not a setting (misspelt?)`);
  }
  for (const { env: name, key } of fromEnvironment) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(`${whereIn(issue.path)}: ${issue.message}`);
  }
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  return result.data;
}

/** Where each setting set outside its default came from: the environment wins over the file, as in parseConfig. */
export type SettingOrigins = Partial<Record<SettingKey, Exclude<ConfigOrigin, 'default'>>>;

/** Pure: which settings the file and the environment set (the rest keep their default). */
export function settingOrigins(env: NodeJS.ProcessEnv, file: Record<string, unknown> = {}): SettingOrigins {
  const origins: SettingOrigins = {};
  for (const name of Object.keys(file)) {
    const key = byFileKey.get(name);
    if (key) origins[key] = 'file';
  }
  for (const { env: name, key } of fromEnvironment) {
    const value = env[name];
    if (value !== undefined && value !== '') origins[key] = 'env';
  }
  return origins;
}

/** Pure: a setting's origin, its default when neither the file nor the environment set it. */
export const originOf = (origins: SettingOrigins, key: SettingKey): ConfigOrigin => origins[key] ?? 'default';

/** Reads the optional file named by VIGIL_CONFIG (YAML or JSON), then the environment. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfigWithOrigins(env).config;
}

/** The configuration, and where each of its settings came from (shown beside the values on the page). */
export function loadConfigWithOrigins(env: NodeJS.ProcessEnv = process.env): {
  config: Config;
  origins: SettingOrigins;
} {
  const file = readConfigFile(env);
  return { config: parseConfig(env, file), origins: settingOrigins(env, file) };
}

function readConfigFile(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const path = env.VIGIL_CONFIG;
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`VIGIL_CONFIG: cannot read ${path}: ${(err as Error).message}`]);
  }
  let file: unknown;
  try {
    // YAML is a superset of JSON, so one parser reads both; loaded only when there is a file to read
    const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    file = parse(text);
  } catch (err) {
    throw new ConfigError([`VIGIL_CONFIG: ${path} is not valid YAML or JSON: ${(err as Error).message}`]);
  }
  if (file !== null && (typeof file !== 'object' || Array.isArray(file))) {
    throw new ConfigError([`VIGIL_CONFIG: ${path} must hold a mapping of settings`]);
  }
  return (file ?? {}) as Record<string, unknown>;
}
