import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { openConnection, type Db } from './db.js';
import { handleOf, swapConnection } from './reopenable.js';

/**
 * The database file deleted (or replaced) while vigil runs. SQLite keeps writing into the open,
 * unlinked file, so nothing fails, and at the next start every user stop, the history, backoff and
 * the outbox would be gone. vigil compares the file's identity (device and inode) at the path with
 * the one it opened, every few seconds and on every readiness probe; when it changed or vanished,
 * it copies everything the still-open connection holds (VACUUM INTO: one consistent snapshot, in
 * one synchronous step, so no write can fall between the copy and the switch) to a new file at the
 * path, and the stores carry on there. A file that replaced vigil's is moved aside, never destroyed.
 */

interface Identity {
  dev: number;
  ino: number;
}

export type FileChange = 'deleted' | 'replaced' | null;

/** Pure: how the file at the path differs from the one vigil opened. */
export function fileChange(opened: Identity, now: Identity | null): FileChange {
  if (now === null) return 'deleted';
  return now.dev === opened.dev && now.ino === opened.ino ? null : 'replaced';
}

function identityOf(path: string): Identity | null {
  try {
    const { dev, ino } = statSync(path);
    return { dev, ino };
  } catch {
    return null;
  }
}

/** How long after vigil wrote a new file readiness still says so, so that a probe now and then sees it. */
export const NOTICE_MS = 60_000;

export interface StoreWatch {
  /** Compares the file and, when it changed, writes a new one; the readiness problem, or null. */
  check(): string | null;
  start(): void;
  stop(): void;
}

export function watchStoreFile(
  db: Db,
  path: string,
  logger: Logger,
  options: { intervalMs?: number; now?: () => number } = {},
): StoreWatch {
  const handle = handleOf(db);
  const now = options.now ?? Date.now;
  let opened = identityOf(path);
  let timer: NodeJS.Timeout | null = null;
  let event: { change: 'deleted' | 'replaced'; at: number; rewrittenAt: number | null; error: string | null } | null =
    null;

  const rewrite = (change: 'deleted' | 'replaced') => {
    if (!handle) throw new Error('the store was not opened by openStore');
    mkdirSync(dirname(path), { recursive: true });
    const fresh = `${path}.new-${process.pid}`;
    rmSync(fresh, { force: true });
    handle.current.exec(`VACUUM INTO '${fresh.replaceAll("'", "''")}'`);
    const old = handle.current;
    old.close();
    if (change === 'replaced') {
      const aside = `${path}.replaced-${now()}`;
      for (const suffix of ['', '-wal', '-shm'])
        if (existsSync(path + suffix)) renameSync(path + suffix, aside + suffix);
    }
    // a journal left at the path belongs to no file there any more; SQLite would apply it to the new one
    for (const suffix of ['-wal', '-shm']) rmSync(path + suffix, { force: true });
    renameSync(fresh, path);
    swapConnection(handle, openConnection(path));
    opened = identityOf(path);
  };

  const check = (): string | null => {
    const change = opened === null ? null : fileChange(opened, identityOf(path));
    if (change !== null && event?.error == null) {
      event = { change, at: now(), rewrittenAt: null, error: null };
      logger.error(
        { path, change },
        `vigil's database ${path} was ${change} while vigil ran; writing what it holds to a new file there`,
      );
    }
    if (change !== null) {
      try {
        rewrite(change);
        event!.rewrittenAt = now();
        event!.error = null;
        logger.warn({ path }, `vigil's database is a new file at ${path} with everything vigil held`);
      } catch (err) {
        const error = (err as Error).message;
        if (event!.error !== error) logger.error({ path, err }, `cannot write vigil's database anew at ${path}`);
        event!.error = error;
      }
    }
    if (event === null) return null;
    const when = new Date(event.at).toISOString();
    if (event.error !== null)
      return `vigil's database ${path} was ${event.change} at ${when}, and vigil cannot write a new one there (${event.error}): what it holds is lost at its next start unless the path is writable again`;
    if (now() - event.rewrittenAt! < NOTICE_MS)
      return `vigil's database ${path} was ${event.change} at ${when}; vigil wrote everything it held to a new file there`;
    return null;
  };

  return {
    check,
    start() {
      timer = setInterval(check, options.intervalMs ?? 2000);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
