import type { ContainerRecord } from '../docker/types.js';

/**
 * Pure: the key a container's desired state, backoff and history are kept under. Desired state belongs
 * to the container that earned it: its id, whatever it is renamed to (the name is only shown), so a
 * different container made later under the same name inherits nothing. Only where the engine shows
 * it is the same service does a new container take the key over: compose services keep theirs across
 * `up --force-recreate` (project, service and replica number), and vigil carries the key itself when
 * it recreates a container (IntentTracker.carry).
 */
export function containerKey(record: Pick<ContainerRecord, 'id' | 'labels'>): string {
  const project = record.labels['com.docker.compose.project'];
  const service = record.labels['com.docker.compose.service'];
  if (project && service)
    return `compose:${project}/${service}/${record.labels['com.docker.compose.container-number'] ?? '1'}`;
  return idKey(record.id);
}

/** The key of a container that is not a compose service's. */
export const idKey = (id: string): string => `id:${id}`;

/**
 * Pure: vigil's own container id, from /proc/self/cgroup (v1 paths, and v2 with the systemd driver)
 * or /proc/self/mountinfo (v2 with cgroupfs, where the cgroup path is just "/"). Null outside a container.
 */
export function ownContainerId(procSelfCgroup: string, procSelfMountinfo: string): string | null {
  const fromCgroup = /(?:docker[-/]|\/)([0-9a-f]{64})(?:\.scope)?\s*$/m.exec(procSelfCgroup);
  if (fromCgroup) return fromCgroup[1]!;
  const fromMounts = /\/containers\/([0-9a-f]{64})\/(?:hostname|resolv\.conf|hosts)\b/.exec(procSelfMountinfo);
  return fromMounts ? fromMounts[1]! : null;
}
