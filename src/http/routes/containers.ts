import type { Router } from '@koa/router';
import { lookUpContainer, type ContainersSource } from '../../containers/source.js';
import { containerDetail, containerStats, containerSummary, healthSummary } from '../../containers/view.js';
import type { InventoryEntry } from '../../docker/inventory.js';
import { HttpError } from '../errors.js';
import type { ContainerDetail, ContainerStats, HealthSummary } from '../api-types.js';

/** `:id` → the entry, or the 4xx that says why not. */
export function findContainer(ref: string, source: ContainersSource): InventoryEntry {
  const found = lookUpContainer(ref, source);
  if (found.ok) return found.entry;
  const { status, message, details } = found.problem;
  // a 503 of vigil's first moments is no one's failure: logged as a client's mistake is, not as an error
  throw new HttpError(status, message, details, status === 503 ? 'info' : undefined);
}

export function containerRoutes(router: Router, source: ContainersSource): void {
  router.get('/api/v1/containers/health', (ctx) => {
    const context = source.context();
    const summaries = source.containers().map((e) => containerSummary(e, source.snapshot(e), context));
    const body: HealthSummary = healthSummary(summaries, context);
    ctx.body = body;
  });
  router.get('/api/v1/containers/:id/health', (ctx) => {
    const entry = findContainer(ctx.params.id!, source);
    const body: ContainerDetail = containerDetail(entry, source.snapshot(entry), source.context());
    ctx.body = body;
  });
  router.get('/api/v1/containers/:id/stats', (ctx) => {
    const entry = findContainer(ctx.params.id!, source);
    const body: ContainerStats = containerStats(entry, source.snapshot(entry), source.context());
    ctx.body = body;
  });
}
