import test from 'ava';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  docker,
  removeContainers,
  runContainer,
  testDockerHost,
  testImage,
  uniqueName,
  waitFor,
} from '../helpers/engine.js';
import { openSseClient, type SseClient, type SseMessage } from '../helpers/sse.js';
import { startVigil, type RunningVigil } from '../helpers/vigil.js';

const created: string[] = [];
let vigil: RunningVigil;

test.before(async () => {
  vigil = await startVigil();
  await waitFor(() => vigil.vigil.inventory.synced, { what: 'the first sync' });
});

test.after.always(async () => {
  await vigil?.stop();
  await removeContainers(created);
});

interface Event {
  id: number;
  type: string;
  time: string;
  container: { id: string; name: string };
  data: Record<string, unknown>;
}

async function until(client: SseClient, match: (e: Event, m: SseMessage) => boolean): Promise<Event> {
  for (;;) {
    const message = await client.next(15_000);
    if (message.event === 'gap') continue;
    const event = JSON.parse(message.data) as Event;
    if (match(event, message)) return event;
  }
}

test.serial('state changes and health transitions arrive as typed events with ids', async (t) => {
  const client = await openSseClient(`${vigil.url}/api/v1/events`);
  t.teardown(() => client.close());
  const name = uniqueName('ev');
  created.push(name);
  await runContainer(
    name,
    ['--health-cmd', 'test -f /tmp/ok', '--health-interval', '1s', '--health-retries', '1'],
    ['sh', '-c', 'touch /tmp/ok; exec sleep 100000'],
  );

  const running = await until(
    client,
    (e) => e.type === 'container.state' && e.container.name === name && e.data.to === 'running',
  );
  t.true(Number.isSafeInteger(running.id) && running.id > 0);
  t.false(Number.isNaN(Date.parse(running.time)));
  const healthy = await until(
    client,
    (e) => e.type === 'container.health' && e.container.name === name && e.data.to === 'healthy',
  );
  t.is(healthy.data.source, 'healthcheck');
  t.true(healthy.id > running.id);

  await docker(['exec', name, 'rm', '/tmp/ok']);
  const unhealthy = await until(
    client,
    (e) => e.type === 'container.health' && e.container.name === name && e.data.to === 'unhealthy',
  );
  t.like(unhealthy.data, { from: 'healthy', to: 'unhealthy' });

  await docker(['kill', name]);
  const exited = await until(
    client,
    (e) => e.type === 'container.state' && e.container.name === name && e.data.to === 'exited',
  );
  t.is(exited.data.exitCode, 137);
});

test.serial(
  'a client that reconnects with Last-Event-ID gets what it missed, and a type filter narrows the stream',
  async (t) => {
    const first = await openSseClient(`${vigil.url}/api/v1/events?types=container.state`);
    const name = uniqueName('resume');
    created.push(name);
    await runContainer(name, [], ['sleep', '100000']);
    const seen = await until(first, (e) => e.container.name === name && e.data.to === 'running');
    first.close();

    // while no client listens
    await docker(['stop', '-t', '0', name]);
    await docker(['start', name]);
    await waitFor(() => vigil.vigil.inventory.all().find((e) => e.record.name === name)?.restarts === 1, {
      what: 'the restart seen',
    });

    const resumed = await openSseClient(`${vigil.url}/api/v1/events?types=container.state`, {
      'last-event-id': String(seen.id),
    });
    t.teardown(() => resumed.close());
    const stop = await until(resumed, (e) => e.container.name === name);
    t.is(stop.data.to, 'exited');
    t.true(stop.id > seen.id);
    const start = await until(resumed, (e) => e.container.name === name);
    t.is(start.data.to, 'running');
    t.true(start.id > stop.id);
  },
);

test('a Last-Event-ID that is not an id is a 400', async (t) => {
  const res = await vigil.get('/api/v1/events', { headers: { 'last-event-id': 'yesterday' } });
  t.is(res.status, 400);
  t.regex(((await res.json()) as { error: { message: string } }).error.message, /Last-Event-ID/);
});

/** The state each engine action leaves a container in, as the engine documents its events. */
const engineStates: Record<string, string> = {
  create: 'created',
  start: 'running',
  restart: 'running',
  unpause: 'running',
  die: 'exited',
  pause: 'paused',
  destroy: 'removed',
};

test.serial(
  'under load (20 containers run, stopped, started and removed at once) every state the engine reports arrives once, in order',
  async (t) => {
    const client = await openSseClient(`${vigil.url}/api/v1/events?types=container.state`);
    t.teardown(() => client.close());
    const batch = uniqueName('load');
    const names = Array.from({ length: 20 }, (_, i) => `${batch}-${i}`);
    created.push(...names);
    // the engine's own account, read live: it keeps only its last 256 events for a later `since`.
    // `--since` a second back: a watcher whose subscription starts after the probe's create is told of
    // it all the same (without it, a loaded machine once let the create pass unseen, and the wait ran out)
    const since = String(Math.floor(Date.now() / 1000) - 1);
    const watcher = spawn(
      'docker',
      [
        '-H',
        testDockerHost(),
        'events',
        '--since',
        since,
        '--filter',
        'type=container',
        '--filter',
        `label=vt.batch=${batch}`,
        '--format',
        '{{json .}}',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    t.teardown(() => watcher.kill());
    const engineEvents: { Action: string; Actor: { ID: string } }[] = [];
    createInterface({ input: watcher.stdout }).on('line', (line) =>
      engineEvents.push(JSON.parse(line) as (typeof engineEvents)[number]),
    );
    // the watcher reads once the engine has told it of a probe of the same label (not compared)
    const probe = `${batch}-probe`;
    created.push(probe);
    const probeId = await docker(['create', '--name', probe, '--label', `vt.batch=${batch}`, testImage, 'true']);
    await waitFor(() => engineEvents.some((e) => e.Actor.ID === probeId), { what: 'the watcher reading' });
    await Promise.all(
      names.map(async (name) => {
        await runContainer(name, ['--label', `vt.batch=${batch}`], ['sleep', '100000']);
        await docker(['stop', '-t', '0', name]);
        await docker(['start', name]);
        await docker(['rm', '-f', name]);
      }),
    );
    await waitFor(() => engineEvents.filter((e) => e.Action === 'destroy').length === 20, {
      what: "the engine's destroy events",
    });
    watcher.kill();
    const expected = new Map<string, string[]>();
    for (const e of engineEvents) {
      if (e.Actor.ID === probeId) continue;
      const to = engineStates[e.Action];
      if (!to) continue;
      const states = expected.get(e.Actor.ID.slice(0, 12)) ?? [];
      if (states.at(-1) !== to) states.push(to);
      expected.set(e.Actor.ID.slice(0, 12), states);
    }
    t.is(expected.size, 20, 'the engine reported every container');

    const seen = new Map<string, string[]>();
    const removed = () => [...seen.values()].filter((s) => s.at(-1) === 'removed').length;
    while (removed() < 20) {
      const message = await client.next(30_000);
      const event = JSON.parse(message.data) as Event;
      if (!event.container.name.startsWith(batch) || event.container.name === probe) continue;
      seen.set(event.container.id, [...(seen.get(event.container.id) ?? []), String(event.data.to)]);
    }
    for (const [id, states] of expected) t.deepEqual(seen.get(id), states, `container ${id}`);
  },
);
