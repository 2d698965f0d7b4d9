import type { ContainerRecord } from '../../docker/types.js';

/**
 * Pure: whether an inventory record is older than the medic's last successful start (or restart) of
 * its container, given the start time of the record that action was taken on. That action started the
 * container anew, so every record since shows a later start; one that does not was inspected before the
 * action's own start and landed late (a busy engine, the die of a restart inspected before the start):
 * it says nothing about the container now, and acting on it would act twice.
 */
export function predatesOwnStart(record: ContainerRecord, actedOnStartedAt: number | null): boolean {
  const startedAt = record.startedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  return startedAt <= (actedOnStartedAt ?? Number.NEGATIVE_INFINITY);
}
