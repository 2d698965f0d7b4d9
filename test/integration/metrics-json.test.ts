import test from 'ava';
import { removeContainers, runContainer, uniqueName, waitFor } from '../helpers/engine.js';
import { metricValue, scrape, startVigil, type RunningVigil } from '../helpers/vigil.js';

// GET /metrics/json against the text of /metrics from the same vigil on the real engine: every family,
// the same series and, where nothing moves between two requests, the same values.

const name = uniqueName('json');
let vigil: RunningVigil;

test.before(async () => {
  await runContainer(name, ['--label', 'forge.agent.type=json'], ['sleep', '100000']);
  // one sweep a minute: the per-container readings hold still between the two requests
  vigil = await startVigil({ VIGIL_SAMPLE_INTERVAL_SECONDS: '60' });
  // the sweep at start may come before the inventory has the container: one more, by hand
  await waitFor(() => vigil.vigil.inventory.all().some((e) => e.record.name === name), { what: 'the container' });
  await vigil.vigil.sampler.sweep();
  await waitFor(async () => metricValue(await scrape(vigil), 'docker_container_pids', { name }) !== undefined, {
    what: 'a sweep with the container',
  });
});

test.after.always(async () => {
  await vigil?.stop();
  await removeContainers([name]);
});

interface Family {
  name: string;
  help: string;
  type: string;
  values: { labels: Record<string, string | number>; value: number | null; metricName?: string }[];
}

interface TextFamily {
  type: string;
  help: string;
  /** `sample{sorted labels}` → value */
  samples: Map<string, number>;
}

const unescape = (v: string) => v.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));
const key = (sample: string, labels: Record<string, string | number>) =>
  `${sample}{${Object.entries(labels)
    .map(([k, v]) => `${k}=${String(v)}`)
    .sort()
    .join(',')}}`;

/** The text exposition (0.0.4) by family: each sample under the family its # TYPE line opened. */
function parseExposition(text: string): Map<string, TextFamily> {
  const families = new Map<string, TextFamily>();
  let current: TextFamily | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('# HELP ')) {
      const [, name = '', help = ''] = /^# HELP (\S+) ?(.*)$/.exec(line) ?? [];
      current = { type: '', help: help.replace(/\\n/g, '\n').replace(/\\\\/g, '\\'), samples: new Map() };
      families.set(name, current);
    } else if (line.startsWith('# TYPE ')) {
      const [, , type = ''] = /^# TYPE (\S+) (\S+)$/.exec(line) ?? [];
      current!.type = type;
    } else if (line.trim() !== '') {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m) throw new Error(`not an exposition line: ${line}`);
      const labels = Object.fromEntries(
        [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [
          l[1]!,
          unescape(l[2]!),
        ]),
      );
      const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
      current!.samples.set(key(m[1]!, labels), value);
    }
  }
  return families;
}

/** Families whose values move between two requests by themselves (the process, the event loop). */
const moving = /^(process_|nodejs_)/;

async function pair(): Promise<{ text: Map<string, TextFamily>; json: Family[] }> {
  const text = parseExposition(await scrape(vigil));
  const res = await vigil.get('/metrics/json');
  if (res.status !== 200) throw new Error(`/metrics/json answered ${res.status}`);
  if (!res.headers.get('content-type')?.startsWith('application/json')) throw new Error('not JSON');
  return { text, json: (await res.json()) as Family[] };
}

/** Every difference between the two, as sentences; empty when they say the same. */
function differences(text: Map<string, TextFamily>, json: Family[]): string[] {
  const out: string[] = [];
  const byName = new Map(json.map((f) => [f.name, f]));
  if (byName.size !== json.length) out.push('a family is in the JSON twice');
  for (const [name, family] of text) {
    const j = byName.get(name);
    if (!j) {
      out.push(`${name} is not in /metrics/json`);
      continue;
    }
    if (j.type !== family.type) out.push(`${name}: type ${j.type}, not ${family.type}`);
    if (j.help !== family.help) out.push(`${name}: another help text`);
    const samples = new Map(j.values.map((v) => [key(v.metricName ?? name, v.labels), v.value]));
    if (samples.size !== family.samples.size)
      out.push(`${name}: ${samples.size} series in JSON, ${family.samples.size} in the text`);
    for (const [sample, value] of family.samples) {
      if (!samples.has(sample)) out.push(`${sample} is not in /metrics/json`);
      // NaN and ±Inf have no JSON number: JSON.stringify writes null, as for prom-client's own JSON
      else if (!moving.test(name) && samples.get(sample) !== (Number.isFinite(value) ? value : null))
        out.push(`${sample}: ${samples.get(sample)} in JSON, ${value} in the text`);
    }
  }
  for (const name of byName.keys()) if (!text.has(name)) out.push(`${name} is only in /metrics/json`);
  return out;
}

test('every family of /metrics is in /metrics/json, with the same series and values', async (t) => {
  // another test file's container may change the inventory between the two requests: asked again then
  let last: string[] = [];
  const { text, json } = await waitFor(
    async () => {
      const got = await pair();
      last = differences(got.text, got.json);
      return last.length === 0 ? got : null;
    },
    { what: 'the same families and values', timeoutMs: 20_000, intervalMs: 500 },
  ).catch(() => {
    throw new Error(last.join('\n'));
  });
  t.true(text.size > 20);
  const pids = json.find((f) => f.name === 'docker_container_pids')!;
  t.is(pids.type, 'gauge');
  t.true(pids.values.some((v) => v.labels.name === name && v.value === 1));
  const info = json.find((f) => f.name === 'docker_container_info')!;
  t.like(info.values.find((v) => v.labels.name === name)?.labels, { label_forge_agent_type: 'json' });
  const histogram = json.find((f) => f.name === 'vigil_collection_duration_seconds')!;
  t.is(histogram.type, 'histogram');
  t.true(histogram.values.some((v) => v.metricName === 'vigil_collection_duration_seconds_count'));
  for (const family of json) {
    t.deepEqual(Object.keys(family).sort(), ['aggregator', 'help', 'name', 'type', 'values']);
    for (const v of family.values)
      t.true('labels' in v && (typeof v.value === 'number' || v.value === null), family.name);
  }
});
