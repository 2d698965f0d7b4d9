import test from 'ava';
import fc from 'fast-check';
import {
  ENDS_AFTER_RESENDS,
  isOwnEcho,
  nextTracked,
  ownAlertKey,
  ownAlertLabels,
  postableAlerts,
  type OwnAlert,
} from '../../../src/alerts/own/outgoing.js';

const gaveUp = (container: string): OwnAlert => ({
  alertname: 'VigilRecoveryGaveUp',
  severity: 'critical',
  container,
  summary: `vigil gave up recovering ${container}`,
  description: 'it needs a person',
});
const KEEP = 15 * 60_000;
const RESEND = 60_000;

test('a new alert starts now and ends four resends ahead, as Prometheus sends its alerts', (t) => {
  const tracked = nextTracked(new Map(), [gaveUp('web')], 1_000_000, KEEP);
  const [sent] = postableAlerts(tracked.values(), 'h1', 1_000_000, RESEND);
  t.deepEqual(sent, {
    labels: {
      alertname: 'VigilRecoveryGaveUp',
      severity: 'critical',
      host: 'h1',
      container: 'web',
      source: 'vigil',
    },
    annotations: { summary: 'vigil gave up recovering web', description: 'it needs a person' },
    startsAt: new Date(1_000_000).toISOString(),
    endsAt: new Date(1_000_000 + ENDS_AFTER_RESENDS * RESEND).toISOString(),
  });
});

test('over its life an alert keeps its start while active, is resolved at the moment it ends, and is dropped later', (t) => {
  const table: { at: number; active: OwnAlert[]; expect: { startsAt: number; endsAt: number } | null }[] = [
    { at: 0, active: [gaveUp('web')], expect: { startsAt: 0, endsAt: 4 * RESEND } },
    { at: RESEND, active: [gaveUp('web')], expect: { startsAt: 0, endsAt: 5 * RESEND } },
    // over: endsAt is the moment it ended, sent again while it is kept
    { at: 2 * RESEND, active: [], expect: { startsAt: 0, endsAt: 2 * RESEND } },
    { at: 3 * RESEND, active: [], expect: { startsAt: 0, endsAt: 2 * RESEND } },
    { at: 2 * RESEND + KEEP, active: [], expect: null },
  ];
  let tracked = new Map();
  for (const row of table) {
    tracked = nextTracked(tracked, row.active, row.at, KEEP);
    const sent = postableAlerts(tracked.values(), 'h', row.at, RESEND);
    t.deepEqual(
      sent.map((a) => ({ startsAt: Date.parse(a.startsAt), endsAt: Date.parse(a.endsAt) }))[0] ?? null,
      row.expect,
      `at ${row.at}`,
    );
  }
});

test('an alert active again after it resolved starts anew', (t) => {
  let tracked = nextTracked(new Map(), [gaveUp('web')], 0, KEEP);
  tracked = nextTracked(tracked, [], 1000, KEEP);
  tracked = nextTracked(tracked, [gaveUp('web')], 2000, KEEP);
  t.is([...tracked.values()][0]!.startsAt, 2000);
  t.is([...tracked.values()][0]!.resolvedAt, null);
});

test('labels: vigil sets alertname, severity, host, container and source; extra labels cannot pass for them', (t) => {
  const alert: OwnAlert = {
    ...gaveUp('web'),
    container: null,
    extraLabels: { channel: 'mail', source: 'prometheus', host: 'elsewhere' },
  };
  t.deepEqual(ownAlertLabels(alert, 'h1'), {
    channel: 'mail',
    alertname: 'VigilRecoveryGaveUp',
    severity: 'critical',
    host: 'h1',
    source: 'vigil',
  });
});

test('an echo is an alert with source="vigil" and this host; any other is not', (t) => {
  t.true(isOwnEcho({ alertname: 'X', source: 'vigil', host: 'h1' }, 'h1'));
  t.false(isOwnEcho({ alertname: 'X', source: 'vigil', host: 'h2' }, 'h1'));
  t.false(isOwnEcho({ alertname: 'X', host: 'h1' }, 'h1'));
});

const ownAlert = fc.record({
  alertname: fc.constantFrom('VigilRecoveryGaveUp', 'VigilProbeFailing', 'VigilChannelFailing'),
  severity: fc.constantFrom('critical' as const, 'warning' as const, 'info' as const),
  container: fc.option(fc.constantFrom('web', 'db', 'queue'), { nil: null }),
  summary: fc.string(),
  description: fc.string(),
});

test('property: every tracked alert is sent once per resend, active ones ending after now and resolved ones not', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.array(ownAlert, { maxLength: 6 }), fc.nat(10 * RESEND))), (ticks) => {
        let tracked = new Map();
        let now = 0;
        const everActive = new Set<string>();
        for (const [active, step] of ticks) {
          now += step + 1;
          tracked = nextTracked(tracked, active, now, KEEP);
          active.forEach((a) => everActive.add(ownAlertKey(a)));
          const sent = postableAlerts(tracked.values(), 'h', now, RESEND);
          const keys = sent.map((a) => JSON.stringify(a.labels));
          if (new Set(keys).size !== keys.length) return false;
          const activeKeys = new Set(active.map(ownAlertKey));
          for (const [key, tr] of tracked) {
            if (!everActive.has(key)) return false;
            const isActive = activeKeys.has(key);
            if (isActive !== (tr.resolvedAt === null)) return false;
            const endsAt = tr.resolvedAt ?? now + ENDS_AFTER_RESENDS * RESEND;
            if (isActive ? endsAt <= now : endsAt > now) return false;
            if (tr.startsAt > (tr.resolvedAt ?? now)) return false;
          }
          // every active alert is sent
          if (![...activeKeys].every((k) => tracked.has(k))) return false;
        }
        return true;
      }),
    ),
  );
});
