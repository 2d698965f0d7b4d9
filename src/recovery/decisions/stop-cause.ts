/**
 * A time vigil had no event stream: from when it was lost (vigil's clock, ms) until it was open again
 * (null while it is not). The engine's events in between reach vigil only as the replay after `since`.
 */
export interface StreamGap {
  lostAt: number;
  backAt: number | null;
}

/** When vigil told the engine to act on a container: the first of a run of attempts, and the latest. */
export interface OwnAction {
  firstAt: number;
  lastAt: number;
}

/** Who stopped a container whose die followed a kill. */
export type StopCause = 'person' | 'vigil' | 'engine';

/** How long before vigil noticed the stream lost a kill may already be the engine's (the loss surfaces late). */
export const GAP_SLACK_MS = 1_000;
/** How long after vigil told the engine to act on a container its kills are still vigil's doing. */
export const OWN_ACTION_MS = 30_000;

/**
 * Pure: who made a stop by kill, from when its first kill came (the engine's clock, which is vigil's on
 * the same host).
 *
 * Recorded on a real engine (test/fixtures/engine/restart-*.jsonl): after a SIGKILL of dockerd, the
 * engine's first act on starting again is a SIGTERM (then SIGKILL after the stop timeout) to every
 * container that had been running: `kill` 15, `kill` 9, `die` 137, `stop`, exactly as a person's
 * `docker stop`. No `daemon` event marks it, /info and /version carry no start time, and the engine's
 * buffer of events does not survive its restart, so the event stream alone cannot tell them apart.
 * What does: the engine answers its API only once that restore is over, so those kills all fall
 * while vigil's stream was gone and come to it in the replay; nobody could have asked the engine for
 * anything then. A kill while the stream was gone is the engine's own; a kill soon after vigil itself
 * told the engine to act on the container (a restart by the medic) is vigil's; any other a person's.
 */
export function stopCause(
  killAt: number,
  context: { gaps: readonly StreamGap[]; ownAction: OwnAction | undefined },
): StopCause {
  const { ownAction } = context;
  if (ownAction && killAt >= ownAction.firstAt - GAP_SLACK_MS && killAt - ownAction.lastAt <= OWN_ACTION_MS)
    return 'vigil';
  const inGap = context.gaps.some(
    (gap) => killAt >= gap.lostAt - GAP_SLACK_MS && (gap.backAt === null || killAt <= gap.backAt),
  );
  return inGap ? 'engine' : 'person';
}

/** Pure: the gaps still worth keeping: those that ended within `keepMs` (a restore's kills arrive soon after). */
export function recentGaps(gaps: readonly StreamGap[], now: number, keepMs: number): StreamGap[] {
  return gaps.filter((g) => g.backAt === null || now - g.backAt <= keepMs).slice(-8);
}
