import type { ContainerRecord } from '../docker/types.js';

/**
 * Pure: the key a container's desired state and history are kept under. Compose services keep theirs
 * across `up --force-recreate` (project, service and replica number); other containers by name.
 */
export function containerKey(record: Pick<ContainerRecord, 'name' | 'labels'>): string {
  const project = record.labels['com.docker.compose.project'];
  const service = record.labels['com.docker.compose.service'];
  if (project && service)
    return `compose:${project}/${service}/${record.labels['com.docker.compose.container-number'] ?? '1'}`;
  return `name:${record.name}`;
}

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
