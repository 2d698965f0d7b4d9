// Preloaded into vigil by bench/memory.ts (`--import`): on SIGUSR2 it writes where its memory is, from
// inside the process (V8's heap spaces, what node holds outside them), to VIGIL_BENCH_MEMORY_REPORT.
import { writeFileSync } from 'node:fs';
import process from 'node:process';
import { getHeapSpaceStatistics } from 'node:v8';

process.on('SIGUSR2', () => {
  const spaces = Object.fromEntries(
    getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size }]),
  );
  writeFileSync(process.env.VIGIL_BENCH_MEMORY_REPORT, JSON.stringify({ usage: process.memoryUsage(), spaces }));
});
