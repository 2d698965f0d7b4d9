export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor?: number;
}

/** Pure: the delay before retry number `attempt` (0-based): initial × factor^attempt, capped. */
export function backoffDelay(attempt: number, policy: BackoffPolicy): number {
  const delay = policy.initialMs * (policy.factor ?? 2) ** Math.max(0, attempt);
  return Math.min(policy.maxMs, delay);
}
