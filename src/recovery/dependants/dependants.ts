import type { ContainerRecord } from '../../docker/types.js';

/**
 * Which containers depend on which, from what the engine says of them. Three kinds:
 * - `network`: `--network container:X` (compose `network_mode: service:X`). The dependant lives in
 *   X's network namespace; when X restarts or is recreated, the dependant keeps the old, dead one.
 * - `compose`: compose's `com.docker.compose.depends_on` label, entries with restart true
 *   (`service:condition:true`), within the same project.
 * - `label`: `vigil.depends_on=name,name`.
 */
export type DependencyKind = 'network' | 'compose' | 'label';

export interface DependencyEdge {
  dependant: string;
  dependency: string;
  kind: DependencyKind;
  /**
   * The dependant names a container that no longer exists (a `network` edge to X's previous id, X
   * since recreated under the same name): restarting cannot rejoin it, only recreating can.
   */
  stale: boolean;
}

type Record_ = Pick<ContainerRecord, 'id' | 'name' | 'labels' | 'networkMode'>;

const PROJECT = 'com.docker.compose.project';
const SERVICE = 'com.docker.compose.service';
const DEPENDS_ON = 'com.docker.compose.depends_on';
export const DEPENDS_ON_LABEL = 'vigil.depends_on';

/**
 * Pure: every dependency edge among `records`. `goneNames` maps ids of containers that were removed
 * to their names, so that a dependant of a recreated container is found and marked stale.
 */
export function dependencyEdges(records: readonly Record_[], goneNames: ReadonlyMap<string, string>): DependencyEdge[] {
  const byName = new Map(records.map((r) => [r.name, r]));
  const edges: DependencyEdge[] = [];
  for (const r of records) {
    const mode = r.networkMode;
    if (mode.startsWith('container:')) {
      const ref = mode.slice('container:'.length);
      const live = records.find((x) => x.id === ref || (ref.length >= 12 && x.id.startsWith(ref)) || x.name === ref);
      const goneName = live ? undefined : [...goneNames].find(([id]) => id === ref || id.startsWith(ref))?.[1];
      const successor = goneName === undefined ? undefined : byName.get(goneName);
      if (live && live.id !== r.id) edges.push({ dependant: r.id, dependency: live.id, kind: 'network', stale: false });
      else if (successor) edges.push({ dependant: r.id, dependency: successor.id, kind: 'network', stale: true });
    }
    const project = r.labels[PROJECT];
    for (const entry of (r.labels[DEPENDS_ON] ?? '').split(',')) {
      const [service, , restart] = entry.trim().split(':');
      if (!service || restart !== 'true' || project === undefined) continue;
      for (const x of records)
        if (x.id !== r.id && x.labels[PROJECT] === project && x.labels[SERVICE] === service)
          edges.push({ dependant: r.id, dependency: x.id, kind: 'compose', stale: false });
    }
    for (const name of (r.labels[DEPENDS_ON_LABEL] ?? '').split(',')) {
      const x = byName.get(name.trim());
      if (x && x.id !== r.id) edges.push({ dependant: r.id, dependency: x.id, kind: 'label', stale: false });
    }
  }
  return edges;
}

export interface FollowStep {
  id: string;
  /** How it depends on what came back (the first edge that reached it). */
  kind: DependencyKind;
  stale: boolean;
}

/**
 * Pure: the containers to bring after `root`, each after everything it depends on within the chain
 * (a topological order), or the cycle that makes an order impossible: a cycle is reported, not followed.
 */
export function followOrder(
  root: string,
  edges: readonly DependencyEdge[],
): { order: FollowStep[]; cycle: null } | { order: []; cycle: string[] } {
  const dependantsOf = new Map<string, DependencyEdge[]>();
  for (const e of edges) dependantsOf.set(e.dependency, [...(dependantsOf.get(e.dependency) ?? []), e]);
  const reached = new Map<string, FollowStep>();
  const queue = [root];
  while (queue.length > 0) {
    for (const e of dependantsOf.get(queue.shift()!) ?? []) {
      if (e.dependant === root || reached.has(e.dependant)) continue;
      reached.set(e.dependant, { id: e.dependant, kind: e.kind, stale: e.stale });
      queue.push(e.dependant);
    }
  }
  const cycle = findCycle([root, ...reached.keys()], edges);
  if (cycle) return { order: [], cycle };
  // Kahn's algorithm over the reached containers: a dependant goes once all it depends on in the chain has
  const inChain = new Set(reached.keys());
  const waiting = new Map([...inChain].map((id) => [id, 0]));
  for (const e of edges)
    if (inChain.has(e.dependant) && inChain.has(e.dependency)) waiting.set(e.dependant, waiting.get(e.dependant)! + 1);
  const order: FollowStep[] = [];
  const ready = [...inChain].filter((id) => waiting.get(id) === 0);
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(reached.get(id)!);
    for (const e of dependantsOf.get(id) ?? []) {
      if (!inChain.has(e.dependant)) continue;
      const left = waiting.get(e.dependant)! - 1;
      waiting.set(e.dependant, left);
      if (left === 0) ready.push(e.dependant);
    }
  }
  return { order, cycle: null };
}

/** Pure: a cycle among `ids` (as ids in order, the first repeated at the end), or null. */
export function findCycle(ids: readonly string[], edges: readonly DependencyEdge[]): string[] | null {
  const within = new Set(ids);
  const next = new Map<string, string[]>();
  for (const e of edges)
    if (within.has(e.dependant) && within.has(e.dependency))
      next.set(e.dependency, [...(next.get(e.dependency) ?? []), e.dependant]);
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | null => {
    if (state.get(id) === 'done') return null;
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'open');
    path.push(id);
    for (const n of next.get(id) ?? []) {
      const found = visit(n);
      if (found) return found;
    }
    path.pop();
    state.set(id, 'done');
    return null;
  };
  for (const id of ids) {
    const found = visit(id);
    if (found) return found;
  }
  return null;
}
