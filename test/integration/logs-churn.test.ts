import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runContainer, uniqueName, waitFor } from '../helpers/engine.js';
import { PrivateEngine } from '../helpers/private-engine.js';
import { openSseClient } from '../helpers/sse.js';
import { startVigil } from '../helpers/vigil.js';

// A file of its own: the handles counted are this process's, so no other vigil may live in it (logs.test's
// vigil on the shared engine opened and closed sockets with other files' containers, and moved the count).

/** The descriptors the engine's dockerd holds open. */
function engineFds(engine: PrivateEngine): number {
  const pid = Number(readFileSync(join(engine.dir, 'docker.pid'), 'utf8'));
  return readdirSync(`/proc/${pid}/fd`).length;
}

test.serial(
  '100 clients that come and go leave no open handles in vigil and no connections in the engine',
  async (t) => {
    // the engine's descriptors are counted: on the suite's shared engine, other test files' vigils and
    // docker commands opened and closed theirs meanwhile, so this test's engine and vigil are its own
    const engine = new PrivateEngine();
    t.teardown(() => engine.destroy());
    await engine.up();
    const vigil = await startVigil({ DOCKER_HOST: engine.host });
    t.teardown(() => vigil.stop());
    const name = uniqueName('churn');
    await runContainer(name, [], ['sh', '-c', 'while :; do echo churn; sleep 0.1; done'], engine.host);
    await waitFor(() => vigil.vigil.inventory.all().some((e) => e.record.name === name), {
      what: `${name} in the inventory`,
    });
    const settle = async () => {
      await new Promise((r) => setTimeout(r, 1500));
      return {
        handles: process.getActiveResourcesInfo().length,
        connections: await vigil.vigil.connections(),
        engine: engineFds(engine),
      };
    };
    // one client first, so that lazily opened things (agents, sockets) are there before the baseline
    const warm = await openSseClient(`${vigil.url}/api/v1/containers/${name}/logs?tail=1&follow=true`);
    await warm.next();
    warm.close();
    const before = await settle();
    for (let round = 0; round < 10; round++) {
      const clients = await Promise.all(
        Array.from({ length: 10 }, () =>
          openSseClient(`${vigil.url}/api/v1/containers/${name}/logs?tail=1&follow=true`),
        ),
      );
      await Promise.all(clients.map((c) => c.next()));
      for (const c of clients) c.close();
    }
    const after = await settle();
    t.log(
      `handles ${before.handles} → ${after.handles}; HTTP connections ${before.connections} → ${after.connections}; engine fds ${before.engine} → ${after.engine}`,
    );
    t.true(after.connections <= before.connections, `vigil still holds ${after.connections} connections`);
    t.true(after.handles <= before.handles + 3, `vigil handles grew from ${before.handles} to ${after.handles}`);
    // vigil's own sampling and event stream move the count a little; a leaked stream per client would add
    // a hundred (seen: 31 → 330 when vigil did not close them)
    t.true(after.engine <= before.engine + 25, `engine fds grew from ${before.engine} to ${after.engine}`);
  },
);
