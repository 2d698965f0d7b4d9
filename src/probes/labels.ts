import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';

/**
 * re2js (a quarter of a megabyte of code) is loaded on the first log probe's pattern, not at start:
 * most hosts declare none, and vigil's resident memory is counted.
 */
const require = createRequire(import.meta.url);
let re2: typeof RE2JS | null = null;
const engine = (): typeof RE2JS => (re2 ??= (require('re2js') as { RE2JS: typeof RE2JS }).RE2JS);

/**
 * Probes declared with labels on any container (issue 25), read here, purely: the labels → what to
 * run, or why a label cannot be used. A bad label never throws; it becomes a `ProbeLabelError` that the
 * log and the container's API answer show.
 */

export const PROBE_LABELS = {
  exec: 'vigil.probe.exec',
  log: 'vigil.probe.log',
  interval: 'vigil.probe.interval',
  timeout: 'vigil.probe.timeout',
  retries: 'vigil.probe.retries',
  startPeriod: 'vigil.probe.start_period',
  logWindow: 'vigil.probe.log.window',
} as const;

/** The kubelet's and Docker's defaults for the same four settings, and issue 25's window. */
export const PROBE_DEFAULTS = {
  intervalMs: 30_000,
  timeoutMs: 5_000,
  retries: 3,
  startPeriodMs: 0,
  logWindowMs: 5 * 60_000,
} as const;

export interface ExecProbeSpec {
  /** The argv the engine runs; a shell only when the command names one (`sh -c "…"`). */
  command: string[];
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive failures that make the container unhealthy. */
  retries: number;
  /** Failures within this long of the start do not count (a slow start is not ill-health). */
  startPeriodMs: number;
}

export interface LogProbeSpec {
  /** The expression as written, for the API and the history. */
  pattern: string;
  /** Linear-time (RE2): a hostile pattern cannot make a match take longer than the line's length. */
  regex: RE2JS;
  /** How long a matching line keeps the container unhealthy. */
  windowMs: number;
}

export interface ProbeLabelError {
  label: string;
  value: string;
  message: string;
}

export interface ProbeSpec {
  exec: ExecProbeSpec | null;
  log: LogProbeSpec | null;
  /** Every label that could not be used; a probe with a bad setting of its own is left out. */
  errors: ProbeLabelError[];
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(?:(\d+(?:\.\d+)?)(ms|s|m|h))+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
/** A day: longer than any sensible probe setting, and far from the timers' 2^31 ms limit. */
const MAX_DURATION_MS = 86_400_000;

/** Pure: a Go-style duration ("30s", "1m30s", "500ms", "0") in milliseconds, or an error message. */
export function parseDuration(text: string): { ok: true; ms: number } | { ok: false; message: string } {
  const value = text.trim();
  if (value === '0') return { ok: true, ms: 0 };
  if (!DURATION.test(value))
    return { ok: false, message: `"${text}" is not a duration (write it as 500ms, 30s, 1m30s or 1h)` };
  let ms = 0;
  for (const [, amount, unit] of value.matchAll(DURATION_PART)) ms += Number(amount) * UNIT_MS[unit!]!;
  ms = Math.round(ms);
  if (ms > MAX_DURATION_MS) return { ok: false, message: `"${text}" is longer than a day` };
  return { ok: true, ms };
}

/**
 * Pure: a command line → its argv, split as a shell splits words (single and double quotes, backslash
 * escapes) but without a shell: nothing is expanded. A JSON array of strings is taken as the argv itself.
 */
export function parseCommand(text: string): { ok: true; argv: string[] } | { ok: false; message: string } {
  const value = text.trim();
  if (value.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return { ok: false, message: 'starts with "[" but is not a JSON array of strings' };
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((a) => typeof a === 'string'))
      return { ok: false, message: 'must be a non-empty JSON array of strings' };
    if ((parsed[0] as string).length === 0) return { ok: false, message: 'names no command' };
    return { ok: true, argv: parsed };
  }
  const argv: string[] = [];
  // `inWord`: a word has begun, which quotes do even when empty ('' is an argument)
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < value.length && '"\\$`'.includes(value[i + 1]!)) word += value[++i]!;
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 >= value.length) return { ok: false, message: 'ends with a lone backslash' };
      word += value[++i]!;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) argv.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) return { ok: false, message: `has an unterminated ${quote === '"' ? 'double' : 'single'} quote` };
  if (inWord) argv.push(word);
  if (argv.length === 0 || argv[0] === '') return { ok: false, message: 'names no command' };
  return { ok: true, argv };
}

/** Pure: a regular expression in RE2's syntax (no backreferences or lookaround: those need backtracking). */
export function parsePattern(text: string): { ok: true; regex: RE2JS } | { ok: false; message: string } {
  if (text.length === 0) return { ok: false, message: 'is empty' };
  try {
    return { ok: true, regex: engine().compile(text) };
  } catch (err) {
    return { ok: false, message: `is not a valid RE2 expression: ${(err as Error).message}` };
  }
}

/** Pure: the probes a container's labels declare, with every label that cannot be used said once. */
export function probeSpec(labels: Readonly<Record<string, string>>): ProbeSpec {
  const errors: ProbeLabelError[] = [];
  const fail = (label: string, message: string) => errors.push({ label, value: labels[label]!, message });

  const duration = (label: string, fallback: number, min: number): number | null => {
    const raw = labels[label];
    if (raw === undefined) return fallback;
    const parsed = parseDuration(raw);
    if (!parsed.ok) return (fail(label, parsed.message), null);
    if (parsed.ms < min) return (fail(label, `must be at least ${min} ms`), null);
    return parsed.ms;
  };

  let exec: ExecProbeSpec | null = null;
  const command = labels[PROBE_LABELS.exec];
  if (command !== undefined) {
    const argv = parseCommand(command);
    if (!argv.ok) fail(PROBE_LABELS.exec, argv.message);
    const intervalMs = duration(PROBE_LABELS.interval, PROBE_DEFAULTS.intervalMs, 1000);
    const timeoutMs = duration(PROBE_LABELS.timeout, PROBE_DEFAULTS.timeoutMs, 1);
    const startPeriodMs = duration(PROBE_LABELS.startPeriod, PROBE_DEFAULTS.startPeriodMs, 0);
    const retries = parseRetries(labels[PROBE_LABELS.retries]);
    if (typeof retries === 'string') fail(PROBE_LABELS.retries, retries);
    if (argv.ok && intervalMs !== null && timeoutMs !== null && startPeriodMs !== null && typeof retries === 'number')
      exec = { command: argv.argv, intervalMs, timeoutMs, retries, startPeriodMs };
  }

  let log: LogProbeSpec | null = null;
  const pattern = labels[PROBE_LABELS.log];
  if (pattern !== undefined) {
    const compiled = parsePattern(pattern);
    if (!compiled.ok) fail(PROBE_LABELS.log, compiled.message);
    const windowMs = duration(PROBE_LABELS.logWindow, PROBE_DEFAULTS.logWindowMs, 1000);
    if (compiled.ok && windowMs !== null) log = { pattern, regex: compiled.regex, windowMs };
  }
  return { exec, log, errors };
}

/** The retries label: a whole number from 1 to 100, or the message that says why not. */
function parseRetries(raw: string | undefined): number | string {
  if (raw === undefined) return PROBE_DEFAULTS.retries;
  const n = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || n < 1 || n > 100) return `"${raw}" is not a whole number from 1 to 100`;
  return n;
}

/** Whether any probe label is present: containers without one cost the prober nothing. */
export function hasProbeLabels(labels: Readonly<Record<string, string>>): boolean {
  return labels[PROBE_LABELS.exec] !== undefined || labels[PROBE_LABELS.log] !== undefined;
}

/** Pure: the error messages as one line each, `label: message`, for the API and the log. */
export function describeErrors(errors: readonly ProbeLabelError[]): string[] {
  return errors.map((e) => `${e.label}: ${e.message}`);
}
