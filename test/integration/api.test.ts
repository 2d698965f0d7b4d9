import test from 'ava';
import WebSocket from 'ws';
import { containerSummaryKeys } from '../helpers/shapes.js';
import { docker, removeContainers, runContainer, uniqueName, waitFor } from '../helpers/engine.js';
import { metricValue, scrape, startVigil, type RunningVigil } from '../helpers/vigil.js';

const agent = uniqueName('agent');
const plain = uniqueName('plain');
const checked = uniqueName('checked');
const stopped = uniqueName('stopped');
const created: string[] = [agent, plain, checked, stopped];
const ids: Record<string, string> = {};
let vigil: RunningVigil;

test.before(async () => {
  ids[agent] = await runContainer(
    agent,
    [
      '--label',
      'forge.agent.type=ideation',
      '--label',
      'forge.project.id=cml0eisc80001p214tg6z7v5t',
      '--label',
      'secret.note=do-not-export',
      '--memory',
      '128m',
    ],
    ['sleep', '100000'],
  );
  ids[plain] = await runContainer(plain, [], ['sleep', '100000']);
  ids[checked] = await runContainer(checked, ['--health-cmd', 'true', '--health-interval', '1s'], ['sleep', '100000']);
  ids[stopped] = await runContainer(stopped, [], ['sh', '-c', 'exit 0']);
  vigil = await startVigil();
  await waitFor(
    async () => {
      await vigil.vigil.sampler.sweep();
      const body = (await (await vigil.get('/api/v1/containers/health')).json()) as {
        containers: { name: string; health: string; resources: { pids: number } }[];
      };
      const byName = new Map(body.containers.map((c) => [c.name, c]));
      return (
        byName.get(checked)?.health === 'healthy' && byName.get(agent)?.resources.pids === 1 && byName.get(stopped)
      );
    },
    { what: 'the test containers sampled and healthy' },
  );
});

test.after.always(async () => {
  await vigil?.stop();
  await removeContainers(created);
});

interface Summary {
  timestamp: string;
  total: number;
  healthy: number;
  unhealthy: number;
  containers: Record<string, unknown>[];
}

test.serial('GET /api/v1/containers/health has the DESIGN.md shape and lists stopped containers too', async (t) => {
  // other test files add and remove containers meanwhile, and vigil lists one only once it has inspected
  // it: the answer is asked again until every container the engine listed both before and after it is
  // in it, and it holds nothing the engine never had
  const listNames = async () => (await docker(['ps', '-a', '--format', '{{.Names}}'])).split('\n').filter(Boolean);
  const { res, body, before, afterList } = await waitFor(
    async () => {
      const before = await listNames();
      const res = await vigil.get('/api/v1/containers/health');
      const afterList = await listNames();
      const body = (await res.json()) as Summary;
      const answered = new Set(body.containers.map((c) => c.name as string));
      const agrees =
        before.filter((x) => afterList.includes(x)).every((n) => answered.has(n)) &&
        [...answered].every((n) => before.includes(n) || afterList.includes(n));
      return agrees && { res, body, before, afterList };
    },
    { what: "an answer that agrees with the engine's lists on both sides" },
  );
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /application\/json/);
  t.deepEqual(Object.keys(body).sort(), ['containers', 'healthy', 'host', 'timestamp', 'total', 'unhealthy']);
  t.is(body.total, body.containers.length);
  t.is(body.healthy, body.containers.filter((c) => c.health === 'healthy').length);
  t.false(Number.isNaN(Date.parse(body.timestamp)));
  const answered = new Set(body.containers.map((c) => c.name as string));
  for (const n of before.filter((x) => afterList.includes(x))) t.true(answered.has(n), `${n} is listed`);
  for (const n of answered) t.true(before.includes(n) || afterList.includes(n), `${n} exists`);
  t.true(answered.has(stopped) && answered.has(agent), 'running and stopped containers alike');

  const entry = body.containers.find((c) => c.name === agent)!;
  t.deepEqual(Object.keys(entry).sort(), containerSummaryKeys);
  t.is(entry.id, ids[agent]!.slice(0, 12));
  t.is(entry.image, 'vigil-test:latest');
  t.is(entry.status, 'running');
  t.is(entry.health, 'healthy');
  t.regex(entry.uptime as string, /^(\d+h)?(\d+m)?\d+s$/);
  t.deepEqual(entry.labels, { 'forge.agent.type': 'ideation', 'forge.project.id': 'cml0eisc80001p214tg6z7v5t' });
  const r = entry.resources as Record<string, number>;
  t.deepEqual(Object.keys(r).sort(), [
    'blockReadMB',
    'blockWriteMB',
    'cpuPercent',
    'memoryLimitMB',
    'memoryPercent',
    'memoryUsageMB',
    'networkRxMB',
    'networkTxMB',
    'pids',
  ]);
  for (const value of Object.values(r)) t.is(typeof value, 'number');
  t.is(r.memoryLimitMB, 128);
  t.is(r.pids, 1);
  t.false(Number.isNaN(Date.parse(entry.lastHealthCheck as string)));

  const exited = body.containers.find((c) => c.name === stopped)!;
  t.is(exited.status, 'exited');
  t.is(exited.uptime, '0s');
});

test.serial('the allowlisted labels, and only those, reach the info metric', async (t) => {
  const text = await scrape(vigil);
  t.is(
    metricValue(text, 'docker_container_info', {
      name: agent,
      label_forge_agent_type: 'ideation',
      label_forge_project_id: 'cml0eisc80001p214tg6z7v5t',
    }),
    1,
  );
  t.false(text.includes('do-not-export'));
  t.is(metricValue(text, 'docker_container_info', { name: plain, label_forge_agent_type: '' }), 1);
});

test.serial('GET /api/v1/containers/:id/health by name and by id prefix gives the detail', async (t) => {
  const byName = (await (await vigil.get(`/api/v1/containers/${checked}/health`)).json()) as Record<string, unknown>;
  const byPrefix = (await (
    await vigil.get(`/api/v1/containers/${ids[checked]!.slice(0, 10)}/health`)
  ).json()) as Record<string, unknown>;
  t.is(byName.fullId, ids[checked]);
  t.is(byPrefix.fullId, ids[checked]);
  const check = byName.healthCheck as { status: string; failingStreak: number; log: unknown[] };
  t.is(check.status, 'healthy');
  t.is(check.failingStreak, 0);
  t.true(check.log.length >= 1);
  t.is(byName.restarts, 0);
  t.is(byName.oomKilled, false);
});

test.serial('GET /api/v1/containers/:id/stats gives the resources in base units', async (t) => {
  const res = await vigil.get(`/api/v1/containers/${agent}/stats`);
  t.is(res.status, 200);
  const s = (await res.json()) as {
    memory: { limitBytes: number; limited: boolean; workingSetBytes: number };
    pids: number;
    cpu: { percent: number };
    sampledAt: string;
  };
  t.is(s.memory.limitBytes, 128 * 1024 * 1024);
  t.true(s.memory.limited);
  t.true(s.memory.workingSetBytes > 0);
  t.is(s.pids, 1);
  t.is(typeof s.cpu.percent, 'number');
  t.false(Number.isNaN(Date.parse(s.sampledAt)));
});

test.serial(
  'an unknown container is 404, an ambiguous prefix 409 with the matches, a malformed reference 400 — each with a message, none logged as an error',
  async (t) => {
    const unknown = await vigil.get('/api/v1/containers/no-such-container/health');
    t.is(unknown.status, 404);
    t.regex(((await unknown.json()) as { error: { message: string } }).error.message, /no-such-container/);

    // 17 containers cannot all start with different hex digits, so two of them share a prefix
    const extra = Array.from({ length: 17 }, () => uniqueName('amb'));
    created.push(...extra);
    const extraIds = await Promise.all(
      extra.map((n) => docker(['create', '--name', n, '--network', 'none', 'vigil-test:latest', 'true'])),
    );
    await vigil.vigil.inventory.settled();
    await waitFor(() => extraIds.every((id) => vigil.vigil.inventory.get(id)), {
      what: 'the created containers in the inventory',
    }).catch((e) => {
      console.error(JSON.stringify(vigil.logs.filter((l) => l.level >= 40)));
      throw e;
    });
    const byFirst = new Map<string, string[]>();
    for (const id of extraIds) byFirst.set(id[0]!, [...(byFirst.get(id[0]!) ?? []), id]);
    const [prefix, sharing] = [...byFirst.entries()].find(([, list]) => list.length > 1)!;
    const ambiguous = await vigil.get(`/api/v1/containers/${prefix}/stats`);
    t.is(ambiguous.status, 409);
    const body = (await ambiguous.json()) as { error: { message: string; matches: { id: string; name: string }[] } };
    t.regex(body.error.message, /matches \d+ containers/);
    for (const id of sharing) t.true(body.error.matches.some((m) => m.id === id.slice(0, 12)));

    for (const bad of ['..%2F..%2Fetc%2Fpasswd', 'a%20b', '-x', 'x'.repeat(300)]) {
      const res = await vigil.get(`/api/v1/containers/${bad}/health`);
      t.is(res.status, 400, bad);
      t.regex(((await res.json()) as { error: { message: string } }).error.message, /malformed container reference/);
    }
    t.deepEqual(
      vigil.logs.filter((l) => l.level >= 50),
      [],
      'nothing at error level',
    );
    t.true(vigil.logs.some((l) => l.msg === 'request rejected' && l.status === 404));
  },
);

test.serial('an address that guesses tokens is refused for a while, the right token too; others are not', async (t) => {
  const token = 'test-token-0123456789abcdef';
  const guarded = await startVigil({ VIGIL_API_TOKEN: token });
  t.teardown(() => guarded.stop());
  const statuses: number[] = [];
  for (let i = 0; i < 22; i++) {
    const guess =
      i % 2 === 0
        ? guarded.get('/api/v1/alerts', { headers: { authorization: `Bearer guess-${i}` } })
        : guarded.get('/api/v1/session', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ token: `guess-${i}` }),
          });
    statuses.push((await guess).status);
  }
  t.deepEqual(statuses.slice(0, 20), Array<number>(20).fill(401), 'the first 20 wrong tokens are only wrong');
  t.deepEqual(statuses.slice(20), [429, 429], 'past 20 in a minute, refused');
  const right = await guarded.get('/api/v1/containers/health', { headers: { authorization: `Bearer ${token}` } });
  t.is(right.status, 429, 'a right token from the guessing address is refused too: a 200 would give it away');
  t.regex(right.headers.get('retry-after') ?? '', /^\d+$/);
  t.regex(((await right.json()) as { error: { message: string } }).error.message, /too many wrong tokens/);
  t.is(
    (await guarded.get('/api/v1/containers/health')).status,
    401,
    'no credential, no guess: still told what is missing',
  );
  t.is((await guarded.get('/metrics')).status, 200);
  // the live WebSocket counts against the same limit: no way around it
  const upgrade = await new Promise<number>((resolve, reject) => {
    const socket = new WebSocket(`${guarded.url.replace('http', 'ws')}/api/v1/ws`, {
      headers: { authorization: `Bearer ${token}` },
    });
    socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.on('open', () => resolve(101));
    socket.on('error', reject);
  });
  t.is(upgrade, 429);
});
