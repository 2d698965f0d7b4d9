import test from 'ava';
import fc from 'fast-check';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { ephemeralRange, freePort } from './helpers/net.js';
import { spawnVigil } from './helpers/vigil-process.js';
import { tempDir } from './helpers/temp-dir.js';

const listenOn = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });

test("a client connection's local port refuses a listen: why a port from the ephemeral range could be taken before a spawned server bound it", async (t) => {
  const server = await listenOn(0);
  t.teardown(() => server.close());
  const client = connect((server.address() as { port: number }).port, '127.0.0.1');
  t.teardown(() => client.destroy());
  await new Promise((r) => client.once('connect', r));
  const error = await t.throwsAsync(listenOn(client.localPort!));
  t.is((error as NodeJS.ErrnoException).code, 'EADDRINUSE');
  const { low, high } = ephemeralRange();
  t.true(client.localPort! >= low && client.localPort! <= high, 'the kernel gave the client a port in the range');
});

test('freePort hands out distinct ports below the ephemeral range that can be listened on', async (t) => {
  const { low } = ephemeralRange();
  const ports = [];
  for (let i = 0; i < 20; i++) ports.push(await freePort());
  t.is(new Set(ports).size, ports.length);
  for (const port of ports) {
    t.true(port >= 10_000 && port < low, `${port} lies below ${low}`);
    (await listenOn(port)).close();
  }
});

test('the ephemeral range is read from the kernel text, and nonsense falls back to the kernel default', (t) => {
  t.deepEqual(ephemeralRange('32768\t60999\n'), { low: 32768, high: 60999 });
  t.deepEqual(ephemeralRange('40000 50000'), { low: 40000, high: 50000 });
  fc.assert(
    fc.property(fc.string(), (text) => {
      const { low, high } = ephemeralRange(text);
      return low > 0 && high >= low;
    }),
  );
});

test('a spawned vigil whose port was taken meanwhile is spawned again on another port, not failed', async (t) => {
  const squatter = await listenOn(await freePort());
  t.teardown(() => squatter.close());
  const taken = (squatter.address() as { port: number }).port;
  const offered: number[] = [];
  const ports = [taken, await freePort()];
  const vigil = await spawnVigil(
    { VIGIL_DATA_DIR: join(tempDir(t, 'free-port'), 'data'), DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    {
      port: async () => {
        const port = ports[offered.length]!;
        offered.push(port);
        return port;
      },
    },
  );
  t.teardown(() => vigil.stop());
  t.deepEqual(offered, ports, 'the taken port first, then another');
  t.is(vigil.url, `http://127.0.0.1:${ports[1]}`);
  t.is((await fetch(`${vigil.url}/health/live`)).status, 200);
});
