/** Milliseconds in each unit a duration may be written in. */
export const msPer = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export type DurationUnit = keyof typeof msPer;

/**
 * Pure: a duration as text → milliseconds. `500ms`, `30s`, `5m`, `2h`, `1d` (a decimal number and a
 * unit, spaces allowed), or a bare number, which is in `bareUnit` and read as `Number` reads it (the
 * way settings were always read, so `1e3` stays valid); null when it is none of these, negative or
 * too large to be finite.
 */
export function parseDurationMs(text: string, bareUnit: DurationUnit): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const bare = Number(trimmed);
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)$/.exec(trimmed);
  let ms: number;
  if (!Number.isNaN(bare)) ms = bare * msPer[bareUnit];
  else if (m) ms = Number(m[1]) * msPer[m[2] as DurationUnit];
  else return null;
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}
