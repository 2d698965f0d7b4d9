/**
 * Builds the status page into web/dist: one minified ES module (preact and htm bundled in; nothing is
 * fetched from outside the host), the stylesheet and the document, each beside a gzipped copy that
 * vigil sends to browsers that take gzip. Prints the sizes against the 150 KB budget.
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const web = fileURLToPath(new URL('../web/', import.meta.url));
const out = join(web, 'dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(web, 'src/main.ts')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  outfile: join(out, 'app.js'),
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync(join(web, 'style.css'), join(out, 'app.css'));
copyFileSync(join(web, 'index.html'), join(out, 'index.html'));
for (const name of readdirSync(out)) {
  const body = readFileSync(join(out, name));
  const gz = gzipSync(body, { level: 9 });
  writeFileSync(join(out, `${name}.gz`), gz);
  console.log(`web/dist/${name}: ${(body.length / 1024).toFixed(1)} KB, ${(gz.length / 1024).toFixed(1)} KB gzipped`);
}
