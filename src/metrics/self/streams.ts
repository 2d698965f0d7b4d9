import { Gauge, type Registry } from 'prom-client';
import type { StreamLimits } from '../../http/stream-limits.js';

/** The open streams and what they hold, as the stream limits count them. */
export function registerStreamMetrics(registry: Registry, streams: StreamLimits): void {
  new Gauge({
    name: 'vigil_streams_open',
    help: 'Streams open now, as VIGIL_STREAMS_MAX counts them: SSE (logs, events), WebSocket connections, and log subscriptions on a WebSocket.',
    registers: [registry],
    collect() {
      this.set(streams.count);
    },
  });
  new Gauge({
    name: 'vigil_streams_buffered_bytes',
    help: 'Bytes waiting in vigil for stream clients to read, all streams together (bounded by VIGIL_STREAMS_MEMORY_MB).',
    registers: [registry],
    collect() {
      this.set(streams.buffered());
    },
  });
}
