import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { vigilEntryArgs } from './helpers/vigil-entry.js';
import { tempDir } from './helpers/temp-dir.js';

const exec = promisify(execFile);
// the timeouts only end a vigil that hangs: a machine under load can take many seconds to start node

const runMain = (env: Record<string, string>) =>
  exec(process.execPath, vigilEntryArgs(), { env: { PATH: process.env.PATH!, ...env }, timeout: 120_000 }).then(
    () => ({ code: 0, stderr: '' }),
    (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
  );

test('an invalid configuration stops vigil at start with exit code 2, listing every problem', async (t) => {
  const { code, stderr } = await runMain({
    VIGIL_STATS_SOURCE: 'magic',
    VIGIL_LISTEN: 'nowhere',
    VIGIL_SAMPLE_INTERVAL_SECONDS: '-1',
  });
  t.is(code, 2);
  t.regex(stderr, /invalid configuration/);
  t.regex(stderr, /VIGIL_STATS_SOURCE/);
  t.regex(stderr, /VIGIL_LISTEN/);
  t.regex(stderr, /VIGIL_SAMPLE_INTERVAL_SECONDS/);
});

test('a port already taken stops vigil with a fatal log naming the address', async (t) => {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => server.close());
  const { port } = server.address() as { port: number };
  const result = await exec(process.execPath, vigilEntryArgs(), {
    env: {
      PATH: process.env.PATH!,
      VIGIL_LISTEN: `127.0.0.1:${port}`,
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
      VIGIL_DATA_DIR: tempDir(t, 'data'),
    },
    timeout: 120_000,
  }).then(
    () => ({ code: 0, stdout: '' }),
    (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
  );
  t.is(result.code, 1);
  t.regex(result.stdout, new RegExp(`cannot listen on 127.0.0.1:${port}`));
});
