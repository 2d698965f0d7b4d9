import type { Router } from '@koa/router';
import { lookUpContainer, type ContainersSource } from '../../containers/source.js';
import { containerDetail, containerStats, containerSummary, healthSummary } from '../../containers/view.js';
import type { InventoryEntry } from '../../docker/inventory.js';
import { HttpError } from '../errors.js';

/** `:id` → the entry, or the 4xx that says why not. */
export function findContainer(ref: string, source: ContainersSource): InventoryEntry {
  const found = lookUpContainer(ref, source);
  if (found.ok) return found.entry;
  throw new HttpError(found.problem.status, found.problem.message, found.problem.details);
}

export function containerRoutes(router: Router, source: ContainersSource): void {
  router.get('/api/v1/containers/health', (ctx) => {
    const context = source.context();
    const summaries = source.containers().map((e) => containerSummary(e, source.snapshot(e), context));
    ctx.body = healthSummary(summaries, context);
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
