import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runContainer } from '../helpers/engine.js';
import { PrivateEngine } from '../helpers/private-engine.js';

/** Processes whose command line names this engine's containerd (its own containerd, and every shim). */
function processesOf(engine: PrivateEngine): string[] {
  const marker = join(engine.dir, 'exec', 'containerd');
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        return cmdline.includes(marker) ? [`${pid} ${cmdline}`] : [];
      } catch {
        return [];
      }
    });
}

test('scripts/test-engine.sh down ends the shims and containers of an engine killed under them, and no other', async (t) => {
  const engine = new PrivateEngine();
  const other = new PrivateEngine();
  t.teardown(() => Promise.all([engine.destroy(), other.destroy()]));
  await Promise.all([engine.up(), other.up()]);
  for (const host of [engine.host, other.host]) {
    await runContainer('one', [], ['sleep', '100000'], host);
    await runContainer('two', [], ['sleep', '100000'], host);
  }
  const shims = (e: PrivateEngine) => processesOf(e).filter((p) => p.includes('containerd-shim'));
  t.is(shims(engine).length, 2, 'a shim per container');
  // an engine that did not stop in time is killed: its shims and containers stay, as daemons of their own
  process.kill(Number(readFileSync(join(engine.dir, 'docker.pid'), 'utf8')), 'SIGKILL');
  await engine.down();
  t.deepEqual(processesOf(engine), [], 'nothing of the engine is left');
  t.is(shims(other).length, 2, "the other engine's shims are not touched");
});
