import type { ContainerEvent, ContainerEventAction } from '../types.js';

/** The engine's event message (API ≥ 1.22 shape). */
export interface EngineEventJson {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number | string;
}

const tracked = new Set<string>([
  'create',
  'start',
  'restart',
  'stop',
  'kill',
  'die',
  'oom',
  'pause',
  'unpause',
  'destroy',
  'rename',
  'update',
]);

/**
 * The engine's `event` filter for the stream: what vigil acts on, so that the exec_* events of every
 * health probe are never sent (at 20 probed containers they were most of the stream's parsing).
 * The engine matches `health_status` by prefix, which takes `health_status: healthy` and the rest.
 */
export const subscribedActions: readonly string[] = [...tracked, 'health_status'];

/**
 * Pure: one line of the event stream → a container event vigil acts on, or null for everything else
 * (exec_* events fire on every health probe and carry nothing the inventory needs).
 */
export function parseEngineEvent(json: EngineEventJson, timeNanoText?: string): ContainerEvent | null {
  // a line of the stream is JSON, but not necessarily an object: `null` or `7` is no event either
  if (typeof json !== 'object' || json === null) return null;
  if (json.Type !== 'container' || typeof json.Action !== 'string' || typeof json.Actor?.ID !== 'string') return null;
  if (json.Actor.ID === '') return null;
  const attrs = stringsOnly(json.Actor.Attributes);
  const timeNano = timeNanoText ? BigInt(timeNanoText) : eventTime(json);
  const base = { id: json.Actor.ID, name: attrs.name ?? '', attributes: attrs, timeNano };
  if (json.Action.startsWith('health_status')) {
    const status = json.Action.slice('health_status'.length).replace(/^:\s*/, '').trim();
    if (status !== 'healthy' && status !== 'unhealthy' && status !== 'starting') return null;
    return { ...base, action: 'health_status', healthStatus: status };
  }
  if (!tracked.has(json.Action)) return null;
  const event: ContainerEvent = { ...base, action: json.Action as ContainerEventAction };
  if (attrs.exitCode !== undefined && /^-?\d+$/.test(attrs.exitCode)) event.exitCode = Number(attrs.exitCode);
  if (attrs.signal !== undefined && /^\d+$/.test(attrs.signal)) event.signal = Number(attrs.signal);
  return event;
}

/** Attributes are labels and engine facts, all text; anything else in a damaged line is dropped. */
function stringsOnly(attributes: unknown): Record<string, string> {
  if (typeof attributes !== 'object' || attributes === null) return {};
  return Object.fromEntries(Object.entries(attributes).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** The event's time when the exact text is not at hand: timeNano, else time in seconds, else the epoch. */
function eventTime(json: EngineEventJson): bigint {
  const nano = Number(json.timeNano);
  if (json.timeNano !== undefined && Number.isFinite(nano) && nano >= 0) return BigInt(Math.trunc(nano));
  const seconds = Number(json.time);
  return json.time !== undefined && Number.isFinite(seconds) && seconds >= 0
    ? BigInt(Math.trunc(seconds)) * 1_000_000_000n
    : 0n;
}

/** The engine's `since` parameter: seconds with a nanosecond fraction. */
export function sinceParam(timeNano: bigint): string {
  const s = timeNano / 1_000_000_000n;
  const ns = timeNano % 1_000_000_000n;
  return `${s}.${ns.toString().padStart(9, '0')}`;
}

/**
 * Pure: one text line of the stream. JSON.parse rounds timeNano (past 2^53), and resuming with
 * `since` needs it exact, so it is read from the text. Throws on a line that is not JSON.
 */
export function parseEngineEventLine(line: string): ContainerEvent | null {
  const json = JSON.parse(line) as EngineEventJson;
  return parseEngineEvent(json, /"timeNano":\s*(\d+)/.exec(line)?.[1]);
}

/** Where a reconnection resumes: the newest event time delivered and which events at exactly that time. */
export interface ResumePoint {
  timeNano: bigint | null;
  keysAtTime: ReadonlySet<string>;
}

export const startOfStream: ResumePoint = { timeNano: null, keysAtTime: new Set() };

/**
 * Pure: whether an event repeats one already delivered, and the resume point after it. The engine's
 * `since` is inclusive, so after a reconnection it repeats the events at that instant; only those are
 * replays. Live events may arrive slightly out of time order (concurrent operations), so an older time
 * alone proves nothing: every event after `since` is new, as none newer had been delivered.
 */
export function advanceResumePoint(point: ResumePoint, event: ContainerEvent): { point: ResumePoint; replay: boolean } {
  const key = `${event.id}/${event.action}/${event.healthStatus ?? ''}`;
  if (point.timeNano === null || event.timeNano > point.timeNano) {
    return { point: { timeNano: event.timeNano, keysAtTime: new Set([key]) }, replay: false };
  }
  if (event.timeNano < point.timeNano) return { point, replay: false };
  if (point.keysAtTime.has(key)) return { point, replay: true };
  return { point: { timeNano: point.timeNano, keysAtTime: new Set([...point.keysAtTime, key]) }, replay: false };
}

/** Pure: seconds as the engine's time parameters take them, never in exponent notation (1e-7). */
export function secondsParam(seconds: number): string {
  const whole = Math.floor(seconds);
  const nanos = Math.round((seconds - whole) * 1e9);
  return nanos === 0 ? String(whole) : `${whole}.${String(Math.min(nanos, 999_999_999)).padStart(9, '0')}`;
}
