import test from 'ava';
import { pino } from 'pino';
import { HostWatch } from '../../src/resources/host-watch.js';
import { openStore } from '../../src/store/db.js';
import { AlertStore } from '../../src/store/alerts.js';
import { EventBus } from '../../src/streams/event-bus.js';
import type { VigilEvent } from '../../src/streams/events.js';
import { notificationFor } from '../../src/notify/message.js';
import { fileTempDirs } from '../helpers/temp-dir.js';

// the file's temp dirs, removed after its last test
const temp = fileTempDirs(test);

function harness() {
  const alerts = new AlertStore(openStore(temp('host')));
  const bus = new EventBus(100, 1, 'h1');
  const events: VigilEvent[] = [];
  bus.on('event', (e) => events.push(e));
  const lines = { warn: 80, crit: 90, forSweeps: 3, hysteresis: 5 };
  const watch = new HostWatch(
    { bus, alerts, host: 'h1', logger: pino({ level: 'silent' }) },
    {
      thresholds: { cpu: lines, memory: lines, queue: { warn: 100, crit: 200, forSweeps: 1, hysteresis: 0 } },
      intervalSeconds: 5,
      notify: true,
    },
  );
  return { alerts, events, watch };
}

test('host CPU over 80 % for three sweeps: one host.spike, one vigil alert about no container, a notification', (t) => {
  const { alerts, events, watch } = harness();
  for (const cpu of [85, 86, 87, 88]) watch.observe({ cpu, memory: 40, queue: 0 });
  t.is(events.length, 1);
  t.like(events[0], {
    type: 'host.spike',
    host: 'h1',
    data: { resource: 'cpu', level: 'warning', previous: 'normal' },
  });
  t.is(events[0]!.container, undefined);
  const [alert] = alerts.active();
  t.like(alert, { alertname: 'VigilHostCpu', severity: 'warning', containerName: null, generatorUrl: null });
  t.like(alert!.labels, { source: 'vigil', host: 'h1' });
  const notification = notificationFor(events[0]!);
  t.truthy(notification);
  t.is(notification!.severity, 'warning');
  t.regex(notification!.title, /h1: cpu at 87 %/);
});

test('a short burst is not reported; critical and back to normal are, and the alert resolves', (t) => {
  const { alerts, events, watch } = harness();
  for (const memory of [95, 95, 50]) watch.observe({ cpu: null, memory, queue: 0 });
  t.deepEqual(events, [], 'two sweeps are not sustained');
  for (const memory of [95, 95, 95]) watch.observe({ cpu: null, memory, queue: 0 });
  t.like(events.at(-1), { type: 'host.spike', data: { resource: 'memory', level: 'critical' } });
  t.like(alerts.active()[0], { alertname: 'VigilHostMemory', severity: 'critical' });
  for (const memory of [40, 40, 40]) watch.observe({ cpu: null, memory, queue: 0 });
  t.like(events.at(-1), { type: 'host.normal', data: { resource: 'memory', level: 'normal', previous: 'critical' } });
  t.deepEqual(alerts.active(), []);
});

test('the notification queue: warning past VIGIL_QUEUE_WARN and critical past VIGIL_QUEUE_CRITICAL at once', (t) => {
  const { events, watch } = harness();
  watch.observe({ cpu: null, memory: null, queue: 99 });
  t.deepEqual(events, []);
  watch.observe({ cpu: null, memory: null, queue: 150 });
  t.like(events.at(-1), { type: 'host.spike', data: { resource: 'queue', level: 'warning', value: 150 } });
  watch.observe({ cpu: null, memory: null, queue: 201 });
  t.like(events.at(-1), { type: 'host.spike', data: { resource: 'queue', level: 'critical', value: 201 } });
  t.regex(notificationFor(events.at(-1)!)!.title, /201 notifications pending/);
});
