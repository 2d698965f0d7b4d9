import type { Router } from '@koa/router';
import { resolveContainer } from '../../containers/resolve.js';
import {
  containerDetail,
  containerStats,
  containerSummary,
  healthSummary,
  type ViewContext,
} from '../../containers/view.js';
import type { InventoryEntry } from '../../docker/inventory.js';
import type { ContainerSnapshot } from '../../sampler.js';
import { HttpError } from '../errors.js';

export interface ContainersSource {
  containers(): InventoryEntry[];
  snapshot(entry: InventoryEntry): ContainerSnapshot | undefined;
  context(): ViewContext;
}

/** Pure-ish glue: `:id` → the entry, or the 4xx that says why not. */
export function findContainer(ref: string, source: ContainersSource): InventoryEntry {
  const entries = source.containers();
  const result = resolveContainer(
    ref,
    entries.map((e) => ({ id: e.record.id, name: e.record.name, entry: e })),
  );
  switch (result.kind) {
    case 'found':
      return result.match.entry;
    case 'malformed':
      throw new HttpError(400, `malformed container reference: ${result.reason}`);
    case 'not_found':
      throw new HttpError(404, `no container named or with an id starting "${ref}"`);
    case 'ambiguous':
      throw new HttpError(
        409,
        `"${ref}" matches ${result.matches.length} containers; use a longer id prefix or the name`,
        {
          matches: result.matches.map((m) => ({ id: m.entry.record.shortId, name: m.entry.record.name })),
        },
      );
  }
}

export function containerRoutes(router: Router, source: ContainersSource): void {
  router.get('/api/v1/containers/health', (ctx) => {
    const context = source.context();
    const summaries = source.containers().map((e) => containerSummary(e, source.snapshot(e), context));
    ctx.body = healthSummary(summaries, context.now);
  });
  router.get('/api/v1/containers/:id/health', (ctx) => {
    const entry = findContainer(ctx.params.id!, source);
    ctx.body = containerDetail(entry, source.snapshot(entry), source.context());
  });
  router.get('/api/v1/containers/:id/stats', (ctx) => {
    const entry = findContainer(ctx.params.id!, source);
    ctx.body = containerStats(entry, source.snapshot(entry), source.context());
  });
}
