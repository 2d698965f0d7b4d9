import test from 'ava';
import fc from 'fast-check';
import { limitOrNull, parseStatsJson, workingSet, type StatsJson } from '../../../src/docker/parse/stats-json.js';
import { fixtureJson } from '../../helpers/fixtures.js';

const HOST = 25_276_510_208;

test('a recorded v1 stats answer of a limited container parses with its limit', (t) => {
  const json = fixtureJson<StatsJson>('engine/stats-v1-fx-limited.json');
  const s = parseStatsJson(json, HOST);
  t.is(s.memoryLimitBytes, 64 * 1024 * 1024);
  t.is(s.memoryUsageBytes, json.memory_stats!.usage!);
  t.is(s.pids, json.pids_stats!.current!);
  t.is(s.cpuSeconds, json.cpu_stats!.cpu_usage!.total_usage! / 1e9);
});

test('an unlimited container reports no limit, though the engine gives the host memory', (t) => {
  const s = parseStatsJson(fixtureJson<StatsJson>('engine/stats-v1-fx-plain.json'), HOST);
  t.is(s.memoryLimitBytes, null);
  t.true(s.memoryWorkingSetBytes >= 48 * 1024 * 1024, 'the fixture holds 48 MiB of shared memory');
});

test('networks and block I/O are summed; v2 uses lower-case op names', (t) => {
  const s = parseStatsJson(
    {
      networks: { eth0: { rx_bytes: 100, tx_bytes: 10 }, eth1: { rx_bytes: 5, tx_bytes: 1 } },
      blkio_stats: {
        io_service_bytes_recursive: [
          { major: 8, minor: 0, op: 'read', value: 7 },
          { major: 8, minor: 0, op: 'write', value: 3 },
          { major: 8, minor: 16, op: 'Read', value: 1 },
          { major: 8, minor: 16, op: 'Total', value: 99 },
        ],
      },
      memory_stats: { usage: 1000, limit: 4096, stats: { inactive_file: 300 } },
    },
    HOST,
  );
  t.like(s, {
    networkRxBytes: 105,
    networkTxBytes: 11,
    blockReadBytes: 8,
    blockWriteBytes: 3,
    memoryWorkingSetBytes: 700,
    memoryLimitBytes: 4096,
  });
});

test('working set never goes below zero and prefers the v1 hierarchical counter', (t) => {
  t.is(workingSet(100, { total_inactive_file: 500 }), 0);
  t.is(workingSet(1000, { total_inactive_file: 100, inactive_file: 50 }), 900);
  t.is(workingSet(1000, undefined), 1000);
});

test('limits at or above the host memory or the kernel maximum mean unlimited', (t) => {
  t.is(limitOrNull(9223372036854771712, HOST), null);
  t.is(limitOrNull(HOST, HOST), null);
  t.is(limitOrNull(0, HOST), null);
  t.is(limitOrNull(1024, HOST), 1024);
});

test('property: a stats document with any fields missing or odd gives a sample of finite, non-negative figures', (t) => {
  const n = fc.oneof(fc.nat({ max: 2 ** 45 }), fc.constant(undefined));
  const statsArb = fc.record(
    {
      cpu_stats: fc.record({ cpu_usage: fc.record({ total_usage: n }, { requiredKeys: [] }) }, { requiredKeys: [] }),
      memory_stats: fc.record(
        {
          usage: n,
          limit: n,
          stats: fc.dictionary(fc.constantFrom('inactive_file', 'total_inactive_file', 'cache'), fc.nat()),
        },
        { requiredKeys: [] },
      ),
      networks: fc.dictionary(fc.constantFrom('eth0', 'lo'), fc.record({ rx_bytes: fc.nat(), tx_bytes: fc.nat() })),
      pids_stats: fc.record({ current: n }, { requiredKeys: [] }),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(statsArb, fc.nat({ max: 2 ** 40 }), (json, host) => {
      const sample = parseStatsJson(json, host);
      for (const [field, value] of Object.entries(sample)) {
        if (value === null) continue;
        t.true(Number.isFinite(value) && (value as number) >= 0, `${field}: ${String(value)}`);
      }
      t.true(sample.memoryWorkingSetBytes <= Math.max(sample.memoryUsageBytes, 0) || sample.memoryUsageBytes === 0);
    }),
    { numRuns: 1000, seed: 8 },
  );
});
