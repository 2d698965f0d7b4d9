/**
 * A test of the type checker, not of code: `npm run typecheck` compiles this file, and each
 * `@ts-expect-error` must meet an error. A page that reads a field under another name than the one
 * the server sends (the health score read `day`, the API sent `date`) then fails the type check.
 */
import type {
  ContainerSummary,
  RecentEventsAnswer,
  SeriesAnswer,
  SettingsAnswer,
  SystemAnswer,
} from '../../src/http/api-types.js';

export function exitedLine(c: ContainerSummary): string {
  const { exitedAt, exitCode } = c.state;
  // @ts-expect-error the field is `exitedAt`: a reader of a renamed field does not compile
  const renamed: unknown = c.state.exitAt;
  return `${String(exitedAt)} ${String(exitCode)} ${String(renamed)} ${c.memory.usageBytes} ${c.cpu.cores}`;
}

export function lastCpu(s: SeriesAnswer): number {
  // @ts-expect-error a point's time is `at`
  const renamed: unknown = s.points[0]?.time;
  return (s.points.at(-1)?.cpuCores ?? 0) + Number(renamed);
}

export function queued(s: SystemAnswer): number {
  // @ts-expect-error the outbox's count is `pending`
  const renamed: unknown = s.notifications.queued;
  return s.notifications.pending + Number(renamed);
}

export function firstEvent(r: RecentEventsAnswer): string | undefined {
  return r.events[0]?.type;
}

export function firstChannelSource(s: SettingsAnswer): string | undefined {
  // @ts-expect-error a setting's origin is `source`
  const renamed: unknown = s.channels[0]?.minSeverity.from;
  return `${s.channels[0]?.minSeverity.source}${String(renamed)}`;
}
