/**
 * After the final message of a cut stream (SSE's `event: end`, the WebSocket's `log:end` and close
 * frame), the client gets this long to read it; then its socket goes. What vigil holds meanwhile is
 * that message and what the transport had already taken, not the stream's backlog; a stalled client
 * that reads again must get through the kernel's buffers first (megabytes on loopback), which one
 * second under load did not allow.
 */
export const CUT_GRACE_MS = 10_000;
