import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { storeFullCase, unmount } from '../helpers/medic-scenarios.js';
import { PrivateEngine } from '../helpers/private-engine.js';

const engine = new PrivateEngine();

test.before(() => engine.up());
test.after.always(() => engine.destroy());

test('a full disk under the data directory: the crash loop is still backed off, each action logged and counted, and readiness says so', async (t) => {
  const dir = mkdtempSync(join(engine.dir, 'full-'));
  t.teardown(async () => {
    await unmount(dir);
    rmSync(dir, { recursive: true, force: true });
  });
  // attempts at 0, 5 and 15 s; the give-up is due 20 s after the third
  const r = await storeFullCase(engine, dir, 40_000);
  t.log(JSON.stringify(r));
  t.is(r.readiness.status, 503);
  t.regex(r.readiness.store ?? '', /full|cannot be written/i, 'readiness says the store refuses writes');
  // base 5 s, 3 attempts: its own start and vigil's three, then vigil gives up
  t.true(r.starts <= 4, `${r.starts} starts in ${r.windowMs} ms, not one per die`);
  t.is(r.actionsLogged, 3, 'every action logged');
  t.deepEqual(r.attempts, [1, 2, 3], 'and counted');
  t.true(r.gaveUp);
});
