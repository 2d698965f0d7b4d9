import test from 'ava';
import fc from 'fast-check';
import { dependencyEdges, findCycle, followOrder } from '../../../src/recovery/dependants/dependants.js';

const id = (n: string) => n.padEnd(64, '0');
const rec = (name: string, over: { networkMode?: string; labels?: Record<string, string> } = {}) => ({
  id: id(name),
  name,
  networkMode: over.networkMode ?? 'default',
  labels: over.labels ?? {},
});
const compose = (project: string, service: string, dependsOn?: string) => ({
  'com.docker.compose.project': project,
  'com.docker.compose.service': service,
  ...(dependsOn ? { 'com.docker.compose.depends_on': dependsOn } : {}),
});

test('a sidecar in a container network namespace depends on that container, by full id or name', (t) => {
  const edges = dependencyEdges(
    [rec('a1'), rec('b1', { networkMode: `container:${id('a1')}` }), rec('c1', { networkMode: 'container:a1' })],
    new Map(),
  );
  t.deepEqual(edges, [
    { dependant: id('b1'), dependency: id('a1'), kind: 'network', stale: false },
    { dependant: id('c1'), dependency: id('a1'), kind: 'network', stale: false },
  ]);
});

test('a sidecar of a container recreated under the same name is marked stale: only recreating rejoins it', (t) => {
  const edges = dependencyEdges(
    [rec('a2'), rec('b2', { networkMode: `container:${id('a0')}` })],
    new Map([[id('a0'), 'a2']]),
  );
  t.deepEqual(edges, [{ dependant: id('b2'), dependency: id('a2'), kind: 'network', stale: true }]);
});

test('compose depends_on counts only entries with restart true, within the same project', (t) => {
  const edges = dependencyEdges(
    [
      rec('db', { labels: compose('p', 'db') }),
      rec('cache', { labels: compose('p', 'cache') }),
      rec('web', { labels: compose('p', 'web', 'db:service_healthy:true,cache:service_started:false') }),
      rec('other-db', { labels: compose('q', 'db') }),
    ],
    new Map(),
  );
  t.deepEqual(edges, [{ dependant: id('web'), dependency: id('db'), kind: 'compose', stale: false }]);
});

test('vigil.depends_on names containers by name; unknown names are ignored', (t) => {
  const edges = dependencyEdges(
    [rec('api'), rec('worker', { labels: { 'vigil.depends_on': 'api, nowhere' } })],
    new Map(),
  );
  t.deepEqual(edges, [{ dependant: id('worker'), dependency: id('api'), kind: 'label', stale: false }]);
});

test('dependants follow in dependency order: what a dependant also depends on in the chain goes first', (t) => {
  const records = [
    rec('x'),
    rec('side', { networkMode: `container:${id('x')}` }),
    rec('late', { labels: { 'vigil.depends_on': 'x,side' } }),
  ];
  const { order, cycle } = followOrder(id('x'), dependencyEdges(records, new Map()));
  t.is(cycle, null);
  t.deepEqual(
    order.map((s) => s.id),
    [id('side'), id('late')],
  );
});

test('a two-container cycle is reported, and nothing is followed', (t) => {
  const records = [
    rec('p', { labels: { 'vigil.depends_on': 'q' } }),
    rec('q', { labels: { 'vigil.depends_on': 'p' } }),
  ];
  const result = followOrder(id('p'), dependencyEdges(records, new Map()));
  t.deepEqual(result.order, []);
  t.deepEqual(result.cycle, [id('p'), id('q'), id('p')]);
});

test('property: an order never lists a container before one it depends on, nor the root, nor twice', (t) => {
  const graph = fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 })), { maxLength: 14 });
  fc.assert(
    fc.property(graph, (pairs) => {
      const edges = pairs
        .filter(([a, b]) => a !== b)
        .map(([a, b]) => ({ dependant: `n${a}`, dependency: `n${b}`, kind: 'label' as const, stale: false }));
      const result = followOrder('n0', edges);
      if (result.cycle) return findCycle(result.cycle.slice(0, -1), edges) !== null;
      const position = new Map(result.order.map((s, i) => [s.id, i]));
      if (position.has('n0') || position.size !== result.order.length) return false;
      return edges.every(
        (e) =>
          !position.has(e.dependant) ||
          !position.has(e.dependency) ||
          position.get(e.dependency)! < position.get(e.dependant)!,
      );
    }),
    { seed: 12 },
  );
  t.is(followOrder('n0', []).order.length, 0);
});
