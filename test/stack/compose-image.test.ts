import test from 'ava';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';

const exec = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));

interface Service {
  image?: string;
  build?: unknown;
  pull_policy?: string;
  group_add?: string[];
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  tmpfs?: string[];
  pid?: string;
}

async function vigilService(env: Record<string, string> = {}): Promise<Service> {
  const { stdout } = await exec('docker-compose', ['-f', 'docker-compose.monitoring.yml', 'config'], {
    cwd: repo,
    env: { ...process.env, VIGIL_API_TOKEN: 'compose-test-token-123', GRAFANA_ADMIN_PASSWORD: 'a-password', ...env },
  });
  return (parse(stdout) as { services: Record<string, Service> }).services.vigil!;
}

test('the stack runs the image `npm run image` built, never building or pulling its own', async (t) => {
  const vigil = await vigilService();
  t.is(vigil.image, 'vigil:latest');
  t.is(vigil.build, undefined);
  t.is(vigil.pull_policy, 'never');
});

test("the stack's vigil is confined as the README's docker run is, the socket's group given", async (t) => {
  const vigil = await vigilService({ DOCKER_SOCKET_GID: '998' });
  t.like(vigil, {
    pid: 'host',
    read_only: true,
    cap_drop: ['ALL'],
    security_opt: ['no-new-privileges'],
    tmpfs: ['/tmp'],
  });
  t.deepEqual(vigil.group_add, ['998']);
});
