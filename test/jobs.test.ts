import test, { type ExecutionContext } from 'ava';
import { pino } from 'pino';
import { runMaintenance, scheduleMaintenance } from '../src/jobs.js';
import { containerKey } from '../src/recovery/identity.js';
import { ChatThreadStore } from '../src/store/chat-threads.js';
import { IncidentStore } from '../src/store/incidents.js';
import { OutboxStore } from '../src/store/outbox.js';
import { medicHarness } from './helpers/medic-harness.js';

const day = 86_400_000;
const options = { cron: '* * * * *', retentionMs: 7 * day, alertExpiryMs: 3_600_000 };
const logger = pino({ level: 'silent' });

/** The medic's harness and every store maintenance prunes, closed after the test. */
async function maintenanceHarness(t: ExecutionContext) {
  const h = await medicHarness();
  t.teardown(() => h.close());
  const stores = {
    ...h.stores,
    outbox: new OutboxStore(h.db),
    incidents: new IncidentStore(h.db),
    threads: new ChatThreadStore(h.db),
  };
  return { h, stores };
}
const alert = (fingerprint: string, endsAt: string | null) => ({
  fingerprint,
  startsAt: '2026-11-23T11:00:00Z',
  status: 'firing' as const,
  alertname: 'ContainerDown',
  severity: 'critical',
  labels: { alertname: 'ContainerDown' },
  annotations: {},
  endsAt,
  generatorUrl: null,
  containerName: 'web',
});

test.serial(
  'the rows of a removed container go when the engine says it is gone (its history stays); those of present containers stay',
  async (t) => {
    const { h, stores } = await maintenanceHarness(t);
    const gone = h.engine.run('gone', {
      labels: { 'vigil.autoheal': 'true' },
      behaviour: { kind: 'exits', code: 1, afterMs: 100 },
    });
    const kept = h.engine.run('kept');
    await h.advance(5000);
    const goneKey = containerKey(h.engine.get(gone));
    const keptKey = containerKey(h.engine.get(kept));
    t.true(h.stores.recovery.get(goneKey).attempts > 0, 'the crashing one has a recovery schedule');
    h.engine.remove(gone);
    await h.advance(1000);

    // issue 20: the engine saying a container is gone removes its rows at once (its history stays)
    t.is(h.stores.desired.get(goneKey), undefined, 'a removed container has no desired state left');
    t.is(h.stores.recovery.get(goneKey).attempts, 0, 'its recovery schedule went with it');
    t.true(h.stores.history.since(goneKey, 0).length > 0, 'its history is kept');
    runMaintenance(h.medic, h.intent, stores, options, logger, Date.now() + 8 * day);
    t.is(
      h.stores.desired.get(keptKey)?.desired,
      'running',
      'a present container keeps its desired state whatever its age',
    );
  },
);

test.serial(
  'a firing alert Alertmanager stopped sending is closed as expired past its endsAt; one still sent stays firing',
  async (t) => {
    const { h, stores } = await maintenanceHarness(t);
    const now = Date.now();
    h.stores.alerts.recordAll(
      [alert('aaaa', new Date(now + 300_000).toISOString()), alert('bbbb', new Date(now + 300_000).toISOString())],
      now,
    );
    // Alertmanager resends bbbb at its repeat interval; aaaa is never heard of again
    h.stores.alerts.recordAll([alert('bbbb', new Date(now + 2 * 3_600_000).toISOString())], now + 3_000_000);
    runMaintenance(h.medic, h.intent, stores, options, logger, now + 1_800_000);
    t.is(h.stores.alerts.latest('aaaa')?.status, 'firing', 'not yet past the expiry');
    // 90 min on: aaaa unheard for 90, bbbb for 40
    runMaintenance(h.medic, h.intent, stores, options, logger, now + 5_400_000);
    t.like(h.stores.alerts.latest('aaaa'), { status: 'resolved', closedReason: 'expired' });
    t.is(h.stores.alerts.latest('bbbb')?.status, 'firing');
    t.deepEqual(h.stores.alerts.activeCounts(), { critical: 1 });
  },
);

test.serial(
  "the maintenance schedule never builds an Intl.DateTimeFormat, so ICU's date tables stay unmapped (node-cron's matching mapped 5.6 MB)",
  async (t) => {
    const { h, stores } = await maintenanceHarness(t);
    const real = Intl.DateTimeFormat;
    let built = 0;
    Intl.DateTimeFormat = new Proxy(real, {
      construct(target, args: Parameters<typeof Intl.DateTimeFormat>) {
        built++;
        return new target(...args);
      },
      apply(target, _this, args: Parameters<typeof Intl.DateTimeFormat>) {
        built++;
        return target(...args);
      },
    });
    try {
      // every second: the schedule is matched against the clock at least once here
      const job = scheduleMaintenance(h.medic, h.intent, stores, { ...options, cron: '* * * * * *' }, logger);
      const next = job.nextRun();
      job.stop();
      t.truthy(next, 'the schedule was computed');
    } finally {
      Intl.DateTimeFormat = real;
    }
    t.is(built, 0);
  },
);
