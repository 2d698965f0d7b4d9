/**
 * Start benchmark: how long `npm start` takes to answer /health/live when nothing changed since the
 * last build, beside vigil's own start without npm or the build check (`node dist/main.js` with the same
 * flags), interleaved so that both meet the same load. Prints best and median of each and writes them
 * to bench/results/; asserts nothing.
 *
 *   npm run bench:start            # 5 of each
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bareStart, npmStart } from '../test/helpers/npm-start.js';

const repo = fileURLToPath(new URL('../', import.meta.url));
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

// builds whatever is not built yet, so that the rounds measure the start with nothing changed
await (await npmStart(600_000)).stop();
const npm: number[] = [];
const bare: number[] = [];
for (let i = 0; i < rounds; i++) {
  const viaNpm = await npmStart(60_000);
  await viaNpm.stop();
  npm.push(viaNpm.liveAfterMs);
  const node = await bareStart(60_000);
  await node.stop();
  bare.push(node.liveAfterMs);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const figures = {
  rounds,
  loadAverage: loadavg()[0]!.toFixed(2),
  npmStartBestMs: Math.min(...npm),
  npmStartMedianMs: median(npm),
  nodeMainBestMs: Math.min(...bare),
  nodeMainMedianMs: median(bare),
  buildCheckMedianMs: median(npm) - median(bare),
};
console.log(`npm start, nothing changed: live after ${npm.join(', ')} ms; node dist/main.js: ${bare.join(', ')} ms`);
console.table(figures);
mkdirSync(join(repo, 'bench/results'), { recursive: true });
writeFileSync(join(repo, 'bench/results/start.json'), JSON.stringify(figures, null, 2) + '\n');
