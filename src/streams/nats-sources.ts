import { lookUpContainer, type ContainersSource } from '../containers/source.js';
import { containerDetail, containerStats, containerSummary, healthSummary } from '../containers/view.js';
import { problemBody } from '../problem.js';
import type { Sampler } from '../sampler.js';

/** What the NATS publisher reads: the JSON API's shapes, built from the same views. */
export function natsSources(containers: ContainersSource, sampler: Sampler) {
  return {
    summaryOf(shortId: string) {
      const entry = containers.containers().find((e) => e.record.shortId === shortId);
      return entry && containerSummary(entry, containers.snapshot(entry), containers.context());
    },
    healthAll() {
      const context = containers.context();
      return healthSummary(
        containers.containers().map((e) => containerSummary(e, containers.snapshot(e), context)),
        context.now,
      );
    },
    detail(ref: string): { status: number; body: unknown } {
      const found = lookUpContainer(ref, containers);
      if (!found.ok) return { status: found.problem.status, body: problemBody(found.problem) };
      return {
        status: 200,
        body: containerDetail(found.entry, containers.snapshot(found.entry), containers.context()),
      };
    },
    allStats() {
      const context = containers.context();
      return containers
        .containers()
        .filter((e) => containers.snapshot(e))
        .map((e) => containerStats(e, containers.snapshot(e), context));
    },
    onSweep(listener: () => void) {
      sampler.on('sweep', listener);
    },
  };
}
