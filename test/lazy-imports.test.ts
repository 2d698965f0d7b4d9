import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Run from source (src/*.ts) or from the unit stage's compiled copy (.unit/src/*.js): the same tree.
const src = fileURLToPath(new URL('../src/', import.meta.url));

/** Packages only some vigils use: each is loaded by a dynamic import where it is first needed. */
const loadedOnUse = ['axios', 'nodemailer', 'nats', 'ws'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|js)$/.test(entry.name) ? [path] : [];
  });
}

test('the packages only some vigils use are never imported at the top of a module (their memory is paid on use)', (t) => {
  const staticImport = new RegExp(`^import\\s+(?!type\\b)[^;]*?from\\s+['"](${loadedOnUse.join('|')})['"]`, 'm');
  const files = sourceFiles(src);
  t.true(files.length > 50, `the sources were found under ${src}`);
  const offenders = files.filter((file) => staticImport.test(readFileSync(file, 'utf8')));
  t.deepEqual(offenders, []);
  t.true(staticImport.test("import axios from 'axios';"), 'the check sees a static import');
  t.false(staticImport.test("import type { WebSocket } from 'ws';"), 'a type-only import costs nothing');
});
