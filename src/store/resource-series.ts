import type { SeriesPoint } from '../http/api-types.js';
import { seriesTiers, type SeriesTier } from '../history/series.js';
import type { Db } from './db.js';

/** The key the host's own series is kept under, beside the containers' keys (`id:…`). */
export const HOST_SERIES_KEY = 'host';

interface Row {
  at: number;
  cpu_cores: number;
  memory_bytes: number;
  memory_limit: number | null;
  rx_per_second: number;
  tx_per_second: number;
  read_per_second: number;
  write_per_second: number;
}

/**
 * Resource history in three tiers (src/history/series.ts). One sweep's points go in with one
 * transaction: a row in tier 0 per series, and from those a running mean in each series' minute and
 * ten-minute buckets.
 */
export class ResourceSeriesStore {
  private readonly insertStmt;
  private readonly lastRowidStmt;
  private readonly foldStmt;
  private readonly readStmt;
  private readonly pruneStmt;
  private readonly countStmt;
  private readonly recordAll;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      `INSERT OR REPLACE INTO resource_series
         (tier, key, at, samples, cpu_cores, memory_bytes, memory_limit, rx_per_second, tx_per_second,
          read_per_second, write_per_second)
       VALUES (0, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // Each coarser tier is folded from the tier-0 rows this transaction wrote, in one statement: a
    // statement per series and tier cost as much as the sweep itself at 200 containers. Rows written
    // now have rowids above every row before (SQLite takes the largest rowid plus one), so the rowid
    // marks where this sweep's rows start. The bucket's mean moves by each new sample's share:
    // (mean * n + x) / (n + 1).
    const mean = (column: string) => `${column} = (${column} * samples + excluded.${column}) / (samples + 1)`;
    this.lastRowidStmt = db.prepare<[], { id: number | null }>('SELECT max(rowid) AS id FROM resource_series');
    this.foldStmt = db.prepare<{ tier: number; bucket: number; after: number }>(
      `INSERT INTO resource_series
         (tier, key, at, samples, cpu_cores, memory_bytes, memory_limit, rx_per_second, tx_per_second,
          read_per_second, write_per_second)
       SELECT @tier, key, at - at % @bucket, 1, cpu_cores, memory_bytes, memory_limit, rx_per_second,
              tx_per_second, read_per_second, write_per_second
         FROM resource_series NOT INDEXED WHERE rowid > @after AND tier = 0 ORDER BY rowid
       ON CONFLICT (tier, key, at) DO UPDATE SET
         ${mean('cpu_cores')}, ${mean('memory_bytes')}, memory_limit = excluded.memory_limit,
         ${mean('rx_per_second')}, ${mean('tx_per_second')}, ${mean('read_per_second')}, ${mean('write_per_second')},
         samples = samples + 1`,
    );
    this.readStmt = db.prepare<[number, string, number], Row>(
      'SELECT * FROM resource_series WHERE tier = ? AND key = ? AND at >= ? ORDER BY at',
    );
    this.pruneStmt = db.prepare('DELETE FROM resource_series WHERE tier = ? AND at < ?');
    this.countStmt = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM resource_series');
    this.recordAll = db.transaction((points: readonly { key: string; point: SeriesPoint }[]) => {
      const after = this.lastRowidStmt.get()?.id ?? 0;
      for (const { key, point } of points)
        this.insertStmt.run(
          key,
          point.at,
          point.cpuCores,
          point.memoryBytes,
          point.memoryLimitBytes,
          point.networkRxBytesPerSecond,
          point.networkTxBytesPerSecond,
          point.blockReadBytesPerSecond,
          point.blockWriteBytesPerSecond,
        );
      for (const t of seriesTiers) if (t.bucketMs > 0) this.foldStmt.run({ tier: t.tier, bucket: t.bucketMs, after });
    });
  }

  /** One sweep's points, every series at once. */
  record(points: readonly { key: string; point: SeriesPoint }[]): void {
    if (points.length > 0) this.recordAll(points);
  }

  /** A series' points of one tier from `from` on, oldest first. */
  read(key: string, tier: SeriesTier, from: number): SeriesPoint[] {
    return this.readStmt.all(tier, key, from).map((r) => ({
      at: r.at,
      cpuCores: r.cpu_cores,
      memoryBytes: Math.round(r.memory_bytes),
      memoryLimitBytes: r.memory_limit,
      networkRxBytesPerSecond: r.rx_per_second,
      networkTxBytesPerSecond: r.tx_per_second,
      blockReadBytesPerSecond: r.read_per_second,
      blockWriteBytesPerSecond: r.write_per_second,
    }));
  }

  /** Drops what each tier keeps no longer; returns the rows removed. */
  prune(now: number): number {
    let removed = 0;
    for (const t of seriesTiers) removed += this.pruneStmt.run(t.tier, now - t.keepMs).changes;
    return removed;
  }

  /** Rows kept, across tiers and series: what /metrics and readiness report as the history's size. */
  rows(): number {
    return this.countStmt.get()?.n ?? 0;
  }
}
