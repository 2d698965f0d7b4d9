// The unit stage (scripts/test-unit.sh): the tests compiled to plain JavaScript under .unit/ first, in
// worker threads. tsx compiling and resolving every module again in each test file's worker was a third
// of the stage's CPU. The script hands ava a few group files that import the tests (see there); this
// glob is what a bare `npx ava --config ava.unit.config.mjs` runs, a worker per file. One file from
// its source: `npx ava test/x.test.ts` (package.json's configuration).
export default {
  files: ['.unit/test/**/*.test.js'],
  workerThreads: true,
  concurrency: 2,
  timeout: '3m',
};
