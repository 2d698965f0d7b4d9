import test from 'ava';
import { Registry } from 'prom-client';
import { StreamLimits } from '../../src/http/stream-limits.js';
import { registerStreamMetrics } from '../../src/metrics/self/streams.js';

test('vigil_streams_open counts every stream the limits admit and says which kinds those are', async (t) => {
  const registry = new Registry();
  const limits = new StreamLimits({ max: 10, perClient: 10, memoryBytes: 1 << 20 });
  registerStreamMetrics(registry, limits);
  const stream = { buffered: () => 100, cut: () => undefined };
  // an SSE log stream, a WebSocket connection and a log subscription on it: one slot each
  const admitted = ['sse', 'ws', 'ws-log'].map(() => limits.admit('127.0.0.1'));
  for (const a of admitted) a.register({ ...stream });
  const [open] = (await registry.getMetricsAsJSON()).filter((m) => m.name === 'vigil_streams_open');
  t.deepEqual(
    open!.values.map((v) => [v.value, v.labels]),
    [[3, {}]],
  );
  t.regex(open!.help, /SSE/);
  t.regex(open!.help, /WebSocket/);
  admitted[1]!.release();
  const after = (await registry.getMetricsAsJSON()).find((m) => m.name === 'vigil_streams_open')!;
  t.is(after.values[0]!.value, 2);
});
