import test from 'ava';
import { statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { npmStart } from '../helpers/npm-start.js';

// `npm start` builds only what changed: a second start with nothing changed builds nothing and touches
// no compiled file; a change to the page rebuilds the page and leaves the server's files alone. How long
// a start takes is a figure of `npm run bench:start`, not an assertion: a loaded machine stretches it.
const repo = fileURLToPath(new URL('../../', import.meta.url));

test.serial('a second npm start, nothing changed, builds nothing and compiles no file again', async (t) => {
  // the first start builds what is not built yet (all of it on a fresh clone): it may take minutes
  const first = await npmStart(600_000);
  await first.stop();
  const compiled = ['dist/main.js', 'web/dist/app.js'].map((f) => join(repo, f));
  const compiledAt = compiled.map((f) => statSync(f).mtimeMs);

  const second = await npmStart(120_000);
  await second.stop();
  t.notRegex(second.output(), /^build:/m, 'nothing built');
  t.deepEqual(
    compiled.map((f) => statSync(f).mtimeMs),
    compiledAt,
    'dist/main.js and the page bundle untouched',
  );
  t.regex(second.output(), /"msg":"vigil listening"/, 'and vigil started');
});

test.serial('a change to the page rebuilds the page only; the server is not compiled again', async (t) => {
  const compiled = join(repo, 'dist/main.js');
  const compiledAt = statSync(compiled).mtimeMs;
  const source = join(repo, 'web/src/texts.ts');
  const now = new Date();
  utimesSync(source, now, now);
  const started = await npmStart(120_000);
  await started.stop();
  t.regex(started.output(), /^build: web\/ changed; bundling the page$/m);
  t.notRegex(started.output(), /^build: src\/ changed/m);
  t.is(statSync(compiled).mtimeMs, compiledAt, 'dist/main.js untouched');
  t.true(statSync(join(repo, 'web/dist/app.js')).mtimeMs >= now.getTime() - 1000, 'the page bundled again');
});
