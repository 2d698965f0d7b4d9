import type { Context } from 'koa';
import { HttpError } from './errors.js';

/**
 * Reads a JSON request body of at most `limit` bytes. 413 past the limit (read no further), 415 for
 * another content type, 400 for text that is not JSON.
 */
export async function readJsonBody(ctx: Context, limit: number, required = true): Promise<unknown> {
  const declared = Number(ctx.get('content-length') || NaN);
  if (Number.isFinite(declared) && declared > limit)
    throw new HttpError(413, `body of ${declared} bytes is over the limit of ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        ctx.set('Connection', 'close');
        throw new HttpError(413, `body is over the limit of ${limit} bytes`);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    // the client aborted its upload: its doing, not vigil's, and nothing was recorded
    throw new HttpError(400, `the request body was cut off: ${(err as Error).message}`, {}, 'debug');
  }
  if (size === 0) {
    if (required) throw new HttpError(400, 'the request has no body; a JSON document is expected');
    return undefined;
  }
  if (!/^application\/(.+\+)?json\b/i.test(ctx.get('content-type'))) {
    throw new HttpError(415, `content type must be application/json, not "${ctx.get('content-type').slice(0, 60)}"`);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (err) {
    throw new HttpError(400, `body is not valid JSON: ${(err as Error).message}`);
  }
}
