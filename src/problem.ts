/** The body every problem (a client's mistake, an engine failure) is answered with, over HTTP and NATS alike. */
export function problemBody(problem: { status: number; message: string; details?: Record<string, unknown> }): {
  error: Record<string, unknown>;
} {
  return { error: { status: problem.status, message: problem.message, ...problem.details } };
}
