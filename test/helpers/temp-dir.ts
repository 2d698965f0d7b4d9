import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What takes a teardown: a test's `t`. */
export interface Teardowns {
  teardown(fn: () => void | Promise<void>): void;
}

/** The file's `test` of ava, for dirs that live as long as the file's tests (made at load or in a hook). */
export interface FileHooks {
  after: { always(fn: () => void): void };
}

/**
 * A fresh directory `vigil-<name>-XXXXXX` under the temp dir (TMPDIR: scripts/no-leaks.sh gives each
 * run its own, and fails the run on what is left in it), removed with everything in it once the test
 * is over, failed or not.
 */
export function tempDir(t: Teardowns, name: string): string {
  const dir = makeTempDir(name);
  t.teardown(() => removeDir(dir));
  removedAtExit.add(dir);
  return dir;
}

/**
 * Every dir made here, removed again as the test file's process exits: a vigil that outlives the
 * removal (stopped by a later hook or teardown) recreates a store dir it finds gone, so the removal in
 * a hook is not always the last word.
 */
const removedAtExit = new Set<string>();
process.once('exit', () => {
  for (const dir of removedAtExit) {
    try {
      removeDir(dir);
    } catch (err) {
      // said, not thrown from an exit handler: scripts/no-leaks.sh --dirs fails the run on the dir left
      console.error(`could not remove ${dir}: ${(err as Error).message}`);
    }
  }
});

/**
 * For dirs a file makes outside a test (at load, in a hook, in a helper of its own): the maker, whose
 * dirs are all removed after the file's last test. Call it at load: `const temp = fileTempDirs(test)`.
 */
export function fileTempDirs(test: FileHooks): (name: string) => string {
  const made: string[] = [];
  const removeAll = () => {
    for (const dir of made) {
      try {
        removeDir(dir);
      } catch {
        // still written to: engine-tls' vigils, stopped by the file's own later hook, wrote their store
        // while this one removed it (ENOTEMPTY failed the hook, and the run). The removal at exit has
        // the last word, and a dir it leaves fails the run in scripts/no-leaks.sh --dirs.
      }
    }
  };
  // hooks run in the order they were made, and this one is made at load, before the file's own that
  // stops its vigil: removedAtExit has the last word
  test.after.always(removeAll);
  return (name) => {
    const dir = makeTempDir(name);
    made.push(dir);
    removedAtExit.add(dir);
    return dir;
  };
}

/** A dir whose owner removes it itself (a helper's stop): `removeDir` it there. */
export function makeTempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `vigil-${name}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
