// `npm start`'s build step (scripts/start.js): builds only what changed, and nothing when dist/ and
// web/dist/ are current. Plain JavaScript run by node itself: tsx or tsc would cost a second or more of
// start-up for nothing.
//   - the server: tsc -p tsconfig.build.json (incremental, its tsbuildinfo in dist/), when a file under
//     src/ or a tsconfig or package file is newer than dist/.tsbuildinfo;
//   - the page: scripts/build-web.ts, when a file under web/src/, web/index.html, web/style.css or the
//     build script is newer than the oldest file of web/dist/.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const repo = fileURLToPath(new URL('../', import.meta.url));

/** The newest modification time under these paths (files, or directories walked), or 0 when none exist. */
function newest(paths) {
  let latest = 0;
  for (const path of paths) {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      continue;
    }
    if (stat.isDirectory()) {
      latest = Math.max(latest, newest(readdirSync(path).map((name) => join(path, name))));
    } else latest = Math.max(latest, stat.mtimeMs);
  }
  return latest;
}

/** The oldest modification time of the files directly in a directory; 0 when it is missing or empty. */
function oldest(dir) {
  let files;
  try {
    files = readdirSync(dir);
  } catch {
    return 0;
  }
  if (files.length === 0) return 0;
  return Math.min(...files.map((name) => statSync(join(dir, name)).mtimeMs));
}

/** Pure: which builds are due, from the newest input and the output's time (0: no output yet). */
export function dueBuilds({ serverInputs, serverBuiltAt, webInputs, webBuiltAt }) {
  return {
    server: serverBuiltAt === 0 || serverInputs > serverBuiltAt,
    web: webBuiltAt === 0 || webInputs > webBuiltAt,
  };
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: repo, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const at = (path) => join(repo, path);
const bin = (name) => at(`node_modules/.bin/${name}`);

/** Builds what is due; nothing when dist/ and web/dist/ are current. */
export function buildChanged() {
  const due = dueBuilds({
    serverInputs: newest(['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'].map(at)),
    serverBuiltAt: newest([at('dist/.tsbuildinfo')]),
    webInputs: newest(['web/src', 'web/index.html', 'web/style.css', 'scripts/build-web.ts'].map(at)),
    webBuiltAt: oldest(at('web/dist')),
  });
  if (due.server) {
    process.stderr.write('build: src/ changed; compiling what changed (tsc --incremental)\n');
    run(bin('tsc'), ['-p', 'tsconfig.build.json']);
    // tsc leaves its tsbuildinfo alone when nothing needed emitting: the stamp says dist/ was checked now
    const now = new Date();
    utimesSync(at('dist/.tsbuildinfo'), now, now);
  }
  if (due.web) {
    process.stderr.write('build: web/ changed; bundling the page\n');
    run(bin('tsx'), ['scripts/build-web.ts']);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildChanged();
