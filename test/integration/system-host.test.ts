import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { waitFor } from '../helpers/engine.js';
import { freePort } from '../helpers/net.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { metricValue, scrape, startVigilWithChannels, type RunningVigil } from '../helpers/vigil.js';
import type { VigilEvent } from '../../src/streams/events.js';
import { fileTempDirs } from '../helpers/temp-dir.js';

// the file's temp dirs, removed after its last test
const temp = fileTempDirs(test);

// The host as vigil reads it from VIGIL_PROC_ROOT: a directory of this test's own holding stat, meminfo
// and loadavg that the test writes, so that the host's CPU, memory and load are known exactly. The
// stats come from the engine's API (the cgroup source would read containers' /proc from there too).

const proc = temp('proc');
let vigil: RunningVigil;
let smtp: TestSmtpServer;

/** /proc/stat with `busy` and `idle` jiffies, the aggregate line and one core's. */
const writeStat = (busy: number, idle: number) =>
  writeFileSync(
    join(proc, 'stat'),
    `cpu  ${busy} 0 0 ${idle} 0 0 0 0 0 0\ncpu0 ${busy} 0 0 ${idle} 0 0 0 0 0 0\nintr 1\n`,
  );
const writeMemory = (totalKib: number, availableKib: number) =>
  writeFileSync(
    join(proc, 'meminfo'),
    `MemTotal:       ${totalKib} kB\nMemFree:        1 kB\nMemAvailable:   ${availableKib} kB\n`,
  );

interface System {
  host: {
    cpus: number;
    cpuPercent: number;
    memoryTotalBytes: number;
    memoryAvailableBytes: number;
    memoryPercent: number;
    load: Record<string, number>;
  };
  notifications: { pending: number; oldestPendingSeconds: number };
}
const system = async () => (await (await vigil.get('/api/v1/system')).json()) as System;

test.before(async () => {
  writeStat(1000, 3000);
  writeMemory(1_000_000, 800_000);
  writeFileSync(join(proc, 'loadavg'), '3.50 2.25 1.00 2/345 6789\n');
  smtp = new TestSmtpServer(await freePort());
  await smtp.start();
  vigil = await startVigilWithChannels([smtp.channel()], {
    VIGIL_PROC_ROOT: proc,
    VIGIL_STATS_SOURCE: 'api',
    VIGIL_SAMPLE_INTERVAL_SECONDS: '1',
    VIGIL_SPIKE_FOR_SECONDS: '2',
    VIGIL_SPIKE_NOTIFY: 'always',
    VIGIL_NOTIFY_GROUP_SECONDS: '0',
    VIGIL_HOST: 'proc-host',
  });
});

test.after.always(async () => {
  await vigil?.stop();
  await smtp?.stop();
});

test.serial(
  'host CPU is the busy share of all cores between sweeps, memory from MemAvailable, load apart',
  async (t) => {
    // a quarter of the jiffies since the last reading busy, whatever the load says
    await waitFor(async () => (await vigil.get('/api/v1/system')).ok, { what: 'vigil' });
    let busy = 1000;
    let idle = 3000;
    const shown = await waitFor(
      async () => {
        busy += 100;
        idle += 300;
        writeStat(busy, idle);
        const s = await system();
        return s.host.cpuPercent === 25 ? s : null;
      },
      { what: 'cpuPercent 25', intervalMs: 300 },
    );
    t.deepEqual(shown.host.load, { 1: 3.5, 5: 2.25, 15: 1 });
    t.is(shown.host.memoryTotalBytes, 1_000_000 * 1024);
    t.is(shown.host.memoryAvailableBytes, 800_000 * 1024);
    t.is(shown.host.memoryPercent, 20);
    t.true(shown.host.cpus >= 1);
    t.false('load1' in shown.host, 'the load averages are only under load');
    t.deepEqual(Object.keys(shown.notifications).sort(), ['oldestPendingSeconds', 'pending']);
    const text = await scrape(vigil);
    t.is(metricValue(text, 'vigil_host_memory_available_bytes'), 800_000 * 1024);
    t.is(metricValue(text, 'vigil_host_memory_total_bytes'), 1_000_000 * 1024);
    const ratio = metricValue(text, 'vigil_host_cpu_utilisation_ratio');
    t.true(ratio !== undefined && ratio >= 0 && ratio <= 1);
    // the queue holds what this vigil tells of every container on the shared engine, other tests' too:
    // its metrics are checked against the JSON's figures read on either side of a scrape, not against 0
    const queue = await waitFor(
      async () => {
        const before = (await system()).notifications;
        const scraped = await scrape(vigil);
        const after = (await system()).notifications;
        // one delivered and another queued between the two reads would leave them equal around a scrape
        // that saw one fewer: the scrape must agree too
        const agree =
          before.pending === after.pending && metricValue(scraped, 'vigil_notifications_pending') === before.pending;
        return agree ? { before, after, scraped } : null;
      },
      { what: 'a scrape between two equal queue lengths that agrees with them' },
    );
    t.is(metricValue(queue.scraped, 'vigil_notifications_pending'), queue.before.pending);
    const oldest = metricValue(queue.scraped, 'vigil_notifications_oldest_pending_seconds')!;
    const said = [queue.before.oldestPendingSeconds, queue.after.oldestPendingSeconds];
    t.true(
      oldest >= Math.min(...said) - 1 && oldest <= Math.max(...said) + 1,
      `oldest pending ${oldest} s, the JSON said ${said.join(' then ')}`,
    );
  },
);

test.serial(
  'host memory over 90 % for its sustain: a host.spike event, a vigil alert a person must act on, an email; and back',
  async (t) => {
    const events: VigilEvent[] = [];
    vigil.vigil.bus.on('event', (e) => events.push(e));
    writeMemory(1_000_000, 50_000);
    const spike = await waitFor(() => events.find((e) => e.type === 'host.spike' && e.data.resource === 'memory'), {
      what: 'the host memory spike',
    });
    t.like(spike.data, { level: 'critical', warn: 80, crit: 90, value: 95 });
    const alerts = (await (await vigil.get('/api/v1/alerts')).json()) as {
      alerts: {
        alertname: string;
        source: string;
        actionRequired: boolean;
        container: string | null;
        severity: string;
      }[];
    };
    t.like(
      alerts.alerts.find((a) => a.alertname === 'VigilHostMemory'),
      { source: 'vigil', actionRequired: true, container: null, severity: 'critical' },
    );
    const mail = await waitFor(() => smtp.mails.find((m) => m.subject.includes('proc-host: memory at 95 %')), {
      what: 'the email',
    });
    t.regex(mail.raw, /over 90 %/);
    writeMemory(1_000_000, 800_000);
    await waitFor(() => events.find((e) => e.type === 'host.normal' && e.data.resource === 'memory'), {
      what: 'back to normal',
    });
    const after = (await (await vigil.get('/api/v1/alerts')).json()) as { alerts: { alertname: string }[] };
    t.false(after.alerts.some((a) => a.alertname === 'VigilHostMemory'));
  },
);
