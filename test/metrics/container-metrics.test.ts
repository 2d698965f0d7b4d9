import zlib from 'node:zlib';
import test from 'ava';
import fc from 'fast-check';
import {
  changesOnlyWithInventory,
  ContainerMetricsText,
  renderContainerMetrics,
} from '../../src/metrics/container-metrics.js';
import { containerFamilies } from '../../src/metrics/families/index.js';
import { escapeLabelValue, formatValue } from '../../src/metrics/exposition.js';
import type { ExporterView } from '../../src/metrics/view.js';
import { newEntry, type InventoryEntry } from '../../src/docker/inventory.js';
import { parseInspect, type InspectJson } from '../../src/docker/parse/inspect.js';
import type { ContainerSnapshot } from '../../src/sampler.js';
import { fixtureJson } from '../helpers/fixtures.js';

const entry = (name: string): InventoryEntry =>
  newEntry(parseInspect(fixtureJson<InspectJson>(`engine/inspect-${name}.json`)), new Date());
const metrics = containerFamilies.flatMap((f) => f.metrics({ labels: ['forge.agent.type', 'forge.project.id'] }));

/** What the view's numbers are: `generation` moves with every change, `inventory` with the inventory's. */
interface Generations {
  generation: number;
  inventory: number;
}

function viewOf(
  entries: InventoryEntry[],
  snapshots: Map<string, ContainerSnapshot> = new Map(),
  generations: Generations = { generation: 1, inventory: 1 },
): ExporterView {
  return {
    containers: () => entries,
    snapshot: (e) => snapshots.get(e.record.id),
    hostMemoryBytes: () => 8e9,
    generation: () => generations.generation,
    inventoryGeneration: () => generations.inventory,
  };
}

const snapshotOf = (e: InventoryEntry): ContainerSnapshot => ({
  sampledAt: Date.now(),
  cpuPercent: 50,
  source: 'cgroup',
  pid: e.record.pid,
  sample: {
    cpuSeconds: 12.5,
    memoryUsageBytes: 2000,
    memoryWorkingSetBytes: 1500,
    memoryLimitBytes: null,
    networkRxBytes: 1,
    networkTxBytes: 2,
    blockReadBytes: 3,
    blockWriteBytes: 4,
    pids: 5,
  },
});

test('every catalogue metric has HELP and TYPE, and counters end in _total', (t) => {
  const text = renderContainerMetrics(metrics, viewOf([entry('fx-plain')]));
  for (const m of metrics) {
    t.true(text.includes(`# TYPE ${m.name} `), m.name);
    const type = /# TYPE \S+ (\w+)/.exec(text.slice(text.indexOf(`# TYPE ${m.name} `)))![1];
    t.is(type === 'counter', m.name.endsWith('_total'), m.name);
  }
});

test('a running, sampled container gets its resources; the state set marks only the current state', (t) => {
  const e = entry('fx-plain');
  const text = renderContainerMetrics(metrics, viewOf([e], new Map([[e.record.id, snapshotOf(e)]])));
  const labels = `id="${e.record.shortId}",name="fx-plain"`;
  t.true(text.includes(`docker_container_cpu_usage_seconds_total{${labels}} 12.5\n`));
  t.true(text.includes(`docker_container_pids{${labels}} 5\n`));
  t.true(text.includes(`docker_container_state{${labels},state="running"} 1\n`));
  t.true(text.includes(`docker_container_state{${labels},state="exited"} 0\n`));
  t.true(text.includes(`docker_container_health_status{${labels},status="healthy"} 1\n`));
  t.true(text.includes(`docker_container_memory_limit_bytes{${labels}} 8000000000\n`), 'unlimited: the host memory');
  t.true(
    text.includes(
      `docker_container_info{${labels},image="vigil-test:latest",compose_project="",compose_service="",label_forge_agent_type="ideation",label_forge_project_id="cml0eisc80001p214tg6z7v5t"} 1\n`,
    ),
  );
});

test('a stopped container has lifecycle series but no resource series', (t) => {
  const e = entry('fx-exited');
  const text = renderContainerMetrics(metrics, viewOf([e]));
  t.true(text.includes(`docker_container_exit_code{id="${e.record.shortId}",name="fx-exited"} 3\n`));
  t.false(text.includes('docker_container_cpu_usage_seconds_total{'));
  t.false(text.includes('docker_container_health_failing_streak{'), 'no HEALTHCHECK, no streak');
});

test('label values are escaped', (t) => {
  t.is(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
  const e = entry('fx-plain');
  const odd = { ...e, record: { ...e.record, labels: { 'forge.agent.type': 'say "hi"\n' } } };
  const text = renderContainerMetrics(metrics, viewOf([odd]));
  t.true(text.includes('label_forge_agent_type="say \\"hi\\"\\n"'));
});

test('special values follow the text format', (t) => {
  t.is(formatValue(NaN), 'NaN');
  t.is(formatValue(Infinity), '+Inf');
  t.is(formatValue(-Infinity), '-Inf');
  t.is(formatValue(0.5), '0.5');
});

/** A cache over one running container, its first text rendered, and the view's numbers to move. */
async function renderedCache() {
  const running = entry('fx-plain');
  const entries = [running];
  const snapshots = new Map<string, ContainerSnapshot>();
  const generations = { generation: 1, inventory: 1 };
  const cache = new ContainerMetricsText(metrics, viewOf(entries, snapshots, generations));
  const first = await cache.render();
  /** A sweep's new reading of the running container. */
  const sweep = () => {
    snapshots.set(running.record.id, snapshotOf(running));
    generations.generation++;
  };
  /** A second container the inventory has just seen. */
  const addContainer = () => {
    entries.push(entry('fx-exited'));
    generations.generation++;
    generations.inventory++;
  };
  return { cache, first, sweep, addContainer };
}

test('the text is rendered once per generation and again when it changes', async (t) => {
  const { cache, first, addContainer } = await renderedCache();
  t.is(await cache.render(), first, 'same generation, the same buffer');
  addContainer();
  t.true((await cache.render()).toString('utf8').includes('name="fx-exited"'));
});

test("a scrape while the next sweep's readings render gets the previous text at once, then the new one", async (t) => {
  const { cache, first, sweep } = await renderedCache();
  t.false(first.toString('utf8').includes('docker_container_memory_usage_bytes{'), 'no reading yet');
  sweep();
  const rendering = cache.prepare(); // as a sweep's end starts it
  const during = await cache.render();
  t.is(during, first, 'the previous bytes, not a wait for the new ones');
  await rendering;
  const after = (await cache.render()).toString('utf8');
  t.true(after.includes('docker_container_memory_usage_bytes{'), "the sweep's reading");
  t.is(zlib.gunzipSync(await cache.renderGzip()).toString('utf8'), after, 'the gzip member holds the same text');
});

test('a container the inventory saw while a render was under way is in the next scrape, never left for later', async (t) => {
  const { cache, sweep, addContainer } = await renderedCache();
  sweep();
  const rendering = cache.prepare(); // begun before the container was seen
  addContainer();
  const during = (await cache.render()).toString('utf8');
  t.true(during.includes('name="fx-exited"'), 'the scrape waited for a text that has it');
  t.false((await rendering).bytes.toString('utf8').includes('name="fx-exited"'), 'the render under way had not');
});

const fixtures = ['fx-plain', 'fx-exited', 'fx-health', 'fx-limited', 'fx-created', 'fx-exited-fast'];
const readingArb = fc.record({
  cpuSeconds: fc.double({ min: 0, max: 1e6, noNaN: true }),
  memoryUsageBytes: fc.nat(),
  memoryWorkingSetBytes: fc.nat(),
  memoryLimitBytes: fc.option(fc.integer({ min: 1, max: 2 ** 40 }), { nil: null }),
  networkRxBytes: fc.nat(),
  networkTxBytes: fc.nat(),
  blockReadBytes: fc.nat(),
  blockWriteBytes: fc.nat(),
  pids: fc.nat({ max: 5000 }),
});

test("a metric kept until the inventory changes reads no sweep's reading: its text is the same whatever the snapshot", (t) => {
  const kept = metrics.filter(changesOnlyWithInventory);
  t.true(kept.length >= 8, 'the state sets, info and the entry-only values are kept');
  t.false(
    kept.some((m) => m.name === 'docker_container_memory_limit_bytes'),
    'a limit the cgroup gives is a reading',
  );
  fc.assert(
    fc.property(fc.constantFrom(...fixtures), readingArb, fc.nat(), (name, sample, hostMemory) => {
      const e = entry(name);
      const bare = viewOf([e]);
      const sampled: ExporterView = {
        ...viewOf([e], new Map([[e.record.id, { ...snapshotOf(e), sample }]])),
        hostMemoryBytes: () => hostMemory,
      };
      return renderContainerMetrics(kept, bare) === renderContainerMetrics(kept, sampled);
    }),
  );
});

test('after any run of sweeps and inventory changes, the cached text is the text rendered afresh', async (t) => {
  const opArb = fc.oneof(
    fc.record({ kind: fc.constant('sweep' as const), readings: fc.array(readingArb, { minLength: 1, maxLength: 6 }) }),
    fc.record({ kind: fc.constant('add' as const), fixture: fc.constantFrom(...fixtures) }),
    fc.record({ kind: fc.constant('remove' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('restart' as const), at: fc.nat() }),
  );
  await t.notThrowsAsync(
    fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 12 }), async (ops) => {
        const entries = [entry('fx-plain'), entry('fx-health')];
        const snapshots = new Map<string, ContainerSnapshot>();
        const generations = { generation: 1, inventory: 1 };
        const view = viewOf(entries, snapshots, generations);
        const cache = new ContainerMetricsText(metrics, view);
        let added = 0;
        for (const op of ops) {
          if (op.kind === 'sweep') {
            entries.forEach((e, i) =>
              snapshots.set(e.record.id, { ...snapshotOf(e), sample: op.readings[i % op.readings.length]! }),
            );
            generations.generation++;
          } else {
            if (op.kind === 'add') {
              const fresh = entry(op.fixture);
              // a copy of a fixture is another container: its own id and name
              const id = `${fresh.record.id.slice(0, 60)}${String(++added).padStart(4, '0')}`;
              entries.push({
                ...fresh,
                record: { ...fresh.record, id, shortId: id.slice(0, 12), name: `copy-${added}` },
              });
            } else if (entries.length > 0 && op.kind === 'remove') entries.splice(op.at % entries.length, 1);
            else if (entries.length > 0) {
              const i = op.at % entries.length;
              entries[i] = { ...entries[i]!, restarts: entries[i]!.restarts + 1 };
            }
            generations.generation++;
            generations.inventory++;
          }
          await cache.prepare();
          const cached = (await cache.render()).toString('utf8');
          if (cached !== renderContainerMetrics(metrics, view)) return false;
        }
        return true;
      }),
      { numRuns: 60 },
    ),
  );
});

test('a sweep renders its readings only: the state sets are not built again until the inventory changes', async (t) => {
  let built = 0;
  const counted = metrics.map((m) =>
    m.kind === 'stateset'
      ? {
          ...m,
          current: (e: InventoryEntry) => {
            built++;
            return m.current(e);
          },
        }
      : m,
  );
  const running = entry('fx-plain');
  const entries = [running];
  const snapshots = new Map<string, ContainerSnapshot>();
  const generations = { generation: 1, inventory: 1 };
  const cache = new ContainerMetricsText(counted, viewOf(entries, snapshots, generations));
  await cache.render();
  const first = built;
  t.true(first > 0);
  snapshots.set(running.record.id, snapshotOf(running));
  generations.generation++;
  const afterSweep = (await cache.render()).toString('utf8');
  t.is(built, first, 'a sweep: the state sets are the ones kept');
  t.true(afterSweep.includes('docker_container_memory_usage_bytes{'), "yet the sweep's readings are there");
  entries.push(entry('fx-exited'));
  generations.generation++;
  generations.inventory++;
  t.true((await cache.render()).toString('utf8').includes('docker_container_state{id="'));
  t.true(built > first, 'the inventory changed: built again');
});
