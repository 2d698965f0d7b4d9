import test from 'ava';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/temp-dir.js';

const exec = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const unitPath = join(repo, 'deploy/vigil.service');
const unit = readFileSync(unitPath, 'utf8');

/** systemd's own check of a unit file: its exit code and everything it said. */
async function verify(path: string): Promise<{ code: number; said: string }> {
  try {
    const { stdout, stderr } = await exec('systemd-analyze', ['verify', path]);
    return { code: 0, said: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, said: e.stdout + e.stderr };
  }
}

/** Every value of a key in the unit, in order. */
const values = (key: string) => [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!.trim());

test('systemd-analyze verify passes on deploy/vigil.service and says nothing about it', async (t) => {
  const { code, said } = await verify(unitPath);
  t.is(code, 0, said);
  t.false(said.includes('vigil.service'), said);
});

test('systemd-analyze verify does speak up about a mistyped or wrong directive (the check above can fail)', async (t) => {
  const dir = tempDir(t, 'unit');
  const broken = join(dir, 'vigil.service');
  writeFileSync(
    broken,
    unit.replace('ProtectSystem=strict', 'ProtectSytem=strict').replace('Restart=on-failure', 'Restart=sometimes'),
  );
  const { said } = await verify(broken);
  t.regex(said, /Unknown key 'ProtectSytem'/);
  t.regex(said, /restart specifier.*sometimes/);
});

test('the unit runs vigil as its own user in the docker group, confined, with its state in StateDirectory', (t) => {
  t.deepEqual(values('User'), ['vigil']);
  t.deepEqual(values('SupplementaryGroups'), ['docker']);
  t.deepEqual(values('StateDirectory'), ['vigil']);
  t.true(values('Environment').some((e) => e.split(/\s+/).includes('VIGIL_DATA_DIR=/var/lib/vigil')));
  t.deepEqual(values('ProtectSystem'), ['strict']);
  t.deepEqual(values('NoNewPrivileges'), ['yes']);
  t.deepEqual(values('Restart'), ['on-failure']);
  t.deepEqual(values('EnvironmentFile'), ['-/etc/vigil/vigil.env']);
  // vigil reads /proc/<pid>/net/dev of other processes: hiding them would cut the network figures
  t.deepEqual(values('ProtectProc'), []);
});

test('the unit starts vigil with the flags of `npm start`', (t) => {
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const start = pkg.scripts.start!.split(/\s+/);
  const exec = values('ExecStart')[0]!.split(/\s+/);
  t.is(start[0], 'node');
  t.is(exec[0], '/usr/bin/node');
  t.deepEqual(exec.slice(1, -1), start.slice(1, -1));
  // npm start runs scripts/start.js, which builds what changed and then imports dist/main.js; an
  // installed copy is built already (and pruned of the compiler), so the unit runs that entry itself
  const startJs = readFileSync(join(repo, 'scripts/start.js'), 'utf8');
  const entry =
    start.at(-1) === 'scripts/start.js' ? /import\('\.\.\/(dist\/[^']+)'\)/.exec(startJs)?.[1] : start.at(-1);
  t.is(exec.at(-1), `/opt/vigil/${entry}`);
});
