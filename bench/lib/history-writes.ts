import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SeriesPoint } from '../../src/http/api-types.js';
import { openStore } from '../../src/store/db.js';
import { ResourceSeriesStore } from '../../src/store/resource-series.js';
import { median, round } from './proc.js';

/**
 * What the resource history's writes cost a sweep (the page's charts: src/history/series-recorder.ts
 * writes one point per container and one for the host in one transaction after every sweep), on a store
 * of its own in a temporary directory, as the recorder calls it: `sweeps` sweeps 5 s apart, each with a
 * point per container, after a minute's worth of warm-up so that the minute and ten-minute buckets the
 * points fold into already exist (as in a vigil that has run a while). CPU of this process, per sweep.
 */
export function measureHistoryWrites(containers: number, sweeps: number, intervalSeconds: number) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-history-'));
  const db = openStore(dir);
  try {
    const store = new ResourceSeriesStore(db);
    const keys = [...Array.from({ length: containers }, (_, i) => `id:${i.toString(16).padStart(12, '0')}`), 'host'];
    let at = Date.now();
    const sweep = () => {
      at += intervalSeconds * 1000;
      store.record(keys.map((key, i) => ({ key, point: pointAt(at, i) })));
    };
    for (let i = 0; i < 60 / intervalSeconds; i++) sweep();
    const cpuMs: number[] = [];
    const wallMs: number[] = [];
    for (let i = 0; i < sweeps; i++) {
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      sweep();
      wallMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      const cpu = process.cpuUsage(cpu0);
      cpuMs.push((cpu.user + cpu.system) / 1000);
    }
    const perSweep = cpuMs.reduce((a, b) => a + b, 0) / sweeps;
    return {
      cpuMsPerSweep: round(perSweep, 2),
      cpuMsPerContainer: round(perSweep / containers, 4),
      wallMsMedian: round(median(wallMs), 2),
      // at one sweep per interval, as a share of one core
      cpuPercentOfCore: round((perSweep / (intervalSeconds * 1000)) * 100, 3),
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function pointAt(at: number, i: number): SeriesPoint {
  return {
    at,
    cpuCores: (i % 7) / 100,
    memoryBytes: 4_000_000 + i * 1000,
    memoryLimitBytes: null,
    networkRxBytesPerSecond: 0,
    networkTxBytesPerSecond: 0,
    blockReadBytesPerSecond: i % 3,
    blockWriteBytesPerSecond: 0,
  };
}
