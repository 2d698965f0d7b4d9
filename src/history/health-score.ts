/** A point on a container's timeline: from `at` on, it was (or was not) running and healthy. */
export interface StatusPoint {
  at: number;
  good: boolean;
}

export interface DailyScore {
  /** The UTC day, YYYY-MM-DD. */
  date: string;
  /** Share of the observed part of the day spent running and healthy, 0..1; null when nothing was observed. */
  score: number | null;
}

const DAY = 86_400_000;

/**
 * Pure: the daily health score over the last `days` days (today included, up to `now`). `before` is
 * the status in force when the window opens (null when vigil knew nothing of the container then).
 */
export function dailyScores(
  before: boolean | null,
  points: readonly StatusPoint[],
  days: number,
  now: number,
): DailyScore[] {
  const todayStart = Math.floor(now / DAY) * DAY;
  const first = todayStart - (days - 1) * DAY;
  const timeline = [...points].filter((p) => p.at >= first && p.at <= now).sort((a, b) => a.at - b.at);
  const scores: DailyScore[] = [];
  let current = before;
  let i = 0;
  for (let start = first; start <= todayStart; start += DAY) {
    const end = Math.min(start + DAY, now);
    let good = 0;
    let observed = 0;
    let cursor = start;
    const account = (until: number): void => {
      if (current !== null) {
        observed += until - cursor;
        if (current) good += until - cursor;
      }
      cursor = until;
    };
    while (i < timeline.length && timeline[i]!.at < end) {
      account(timeline[i]!.at);
      current = timeline[i]!.good;
      i++;
    }
    account(end);
    scores.push({
      date: new Date(start).toISOString().slice(0, 10),
      score: observed > 0 ? Math.round((good / observed) * 10_000) / 10_000 : null,
    });
  }
  return scores;
}

/**
 * Pure: improving, stable or declining, comparing the mean score of the more recent half of the
 * observed days with the earlier half; a change under five points is stable.
 */
export function trend(scores: readonly DailyScore[]): 'improving' | 'stable' | 'declining' {
  const known = scores.map((s) => s.score).filter((s): s is number => s !== null);
  if (known.length < 2) return 'stable';
  const half = Math.floor(known.length / 2);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const delta = mean(known.slice(known.length - half)) - mean(known.slice(0, known.length - half));
  return delta > 0.05 ? 'improving' : delta < -0.05 ? 'declining' : 'stable';
}
