import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build` puts the page: web/dist at the repository's (or the image's) root. */
export const defaultWebDir = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
};

interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer | null;
  etag: string;
}

/** Every built file, read once at start: a fixed set, so no request path ever reaches the file system. */
function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(dir)) return assets;
  for (const name of readdirSync(dir)) {
    const ext = /\.[a-z]+$/.exec(name)?.[0] ?? '';
    if (!types[ext]) continue;
    const body = readFileSync(join(dir, name));
    const gz = join(dir, `${name}.gz`);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(name, { type: types[ext], body, gzip: existsSync(gz) ? readFileSync(gz) : null, etag });
  }
  return assets;
}

/**
 * The status page: `/` and `/containers/:name` are the same document (the page routes itself), and
 * `/assets/<file>` its script and style, gzipped when the browser takes it. The page holds no data;
 * it reads the API, so it is served without a token.
 */
export function pageRoutes(router: Router, dir = defaultWebDir): void {
  const assets = loadAssets(dir);
  const serve = (name: string) => (ctx: Context) => {
    const asset = assets.get(name);
    if (!asset) {
      ctx.status = name === 'index.html' ? 503 : 404;
      ctx.body = {
        error: {
          status: ctx.status,
          message: name === 'index.html' ? 'the page is not built: run npm run build' : `no asset ${name.slice(0, 80)}`,
        },
      };
      return;
    }
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('ETag', asset.etag);
    ctx.set('X-Content-Type-Options', 'nosniff');
    if (name === 'index.html') {
      ctx.set(
        'Content-Security-Policy',
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
      );
    }
    ctx.type = asset.type;
    if (ctx.get('if-none-match') === asset.etag) {
      ctx.status = 304;
      return;
    }
    ctx.vary('Accept-Encoding');
    if (asset.gzip && ctx.acceptsEncodings('gzip', 'identity') === 'gzip') {
      ctx.set('Content-Encoding', 'gzip');
      ctx.body = asset.gzip;
    } else ctx.body = asset.body;
  };
  router.get('/', serve('index.html'));
  router.get('/containers/:name', serve('index.html'));
  router.get('/assets/:file', (ctx) => serve(ctx.params.file ?? '')(ctx));
}
