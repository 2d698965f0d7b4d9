import { existsSync, readFileSync } from 'node:fs';
import {
  cgroupFilePaths,
  parseCgroupV1,
  parseCgroupV2,
  parseProcCgroup,
  type CgroupV1Files,
  type CgroupV2Files,
} from '../parse/cgroup.js';
import type { ContainerRecord, ResourceSample } from '../types.js';
import type { StatsSource } from './source.js';

type FilePaths = NonNullable<ReturnType<typeof cgroupFilePaths>>;

/** Containers read between two yields to the event loop (about 3 ms of work). */
const BATCH = 25;

/**
 * The fast path: reads the container's cgroup files and /proc/<pid>/net/dev straight from the kernel,
 * synchronously (a few small pseudo-files per container; async reads would cost more than they save).
 * Paths come from /proc/<pid>/cgroup, so any cgroup driver and any --cgroup-parent work.
 */
export class CgroupStatsSource implements StatsSource {
  readonly name = 'cgroup' as const;
  readonly unified: boolean;
  private readonly paths = new Map<string, { pid: number; files: FilePaths }>();

  constructor(
    private readonly cgroupRoot = '/sys/fs/cgroup',
    private readonly procRoot = '/proc',
  ) {
    this.unified = existsSync(`${cgroupRoot}/cgroup.controllers`);
  }

  /** Whether this host's cgroup tree and /proc are visible from here at all. */
  static available(cgroupRoot = '/sys/fs/cgroup', procRoot = '/proc'): boolean {
    return (
      existsSync(`${procRoot}/self/cgroup`) &&
      (existsSync(`${cgroupRoot}/cgroup.controllers`) || existsSync(`${cgroupRoot}/memory`))
    );
  }

  async sample(containers: readonly ContainerRecord[]): Promise<Map<string, ResourceSample>> {
    const out = new Map<string, ResourceSample>();
    const live = new Set<string>();
    for (let i = 0; i < containers.length; i++) {
      // reads are synchronous; yielding between batches keeps a scrape from waiting out a whole sweep
      if (i > 0 && i % BATCH === 0) await new Promise((resolve) => setImmediate(resolve));
      const c = containers[i]!;
      live.add(c.id);
      const sample = this.read(c);
      if (sample) out.set(c.id, sample);
    }
    for (const id of this.paths.keys()) if (!live.has(id)) this.paths.delete(id);
    return out;
  }

  private read(c: ContainerRecord): ResourceSample | null {
    if (c.pid <= 0) return null;
    try {
      const files = this.filesFor(c);
      if (!files) return null;
      const netDev = readFileSync(`${this.procRoot}/${c.pid}/net/dev`, 'utf8');
      if (files.version === 1) {
        const text = { netDev } as CgroupV1Files;
        for (const [name, path] of Object.entries(files.files))
          text[name as Exclude<keyof CgroupV1Files, 'netDev'>] = readFileSync(path, 'utf8');
        return parseCgroupV1(text);
      }
      const text = { netDev } as CgroupV2Files;
      for (const [name, path] of Object.entries(files.files))
        text[name as Exclude<keyof CgroupV2Files, 'netDev'>] = readOptional(path);
      return parseCgroupV2(text);
    } catch {
      // the container stopped between the inventory's view and this read; its paths are stale
      this.paths.delete(c.id);
      return null;
    }
  }

  private filesFor(c: ContainerRecord): FilePaths | null {
    const cached = this.paths.get(c.id);
    if (cached && cached.pid === c.pid) return cached.files;
    const membership = parseProcCgroup(readFileSync(`${this.procRoot}/${c.pid}/cgroup`, 'utf8'));
    // the engine names every container's cgroup after its id; a pid whose cgroup does not is another
    // process (the engine is on another machine, or the container's process has gone and its pid reused)
    if (!belongsTo(membership, c.id)) return null;
    const files = cgroupFilePaths(membership, this.cgroupRoot, this.unified);
    if (files) this.paths.set(c.id, { pid: c.pid, files });
    return files;
  }
}

function belongsTo(membership: ReturnType<typeof parseProcCgroup>, id: string): boolean {
  return [membership.v2, ...Object.values(membership.v1)].some((path) => path?.includes(id));
}

/** v2 leaves out a file whose controller is not enabled for the subtree (io.stat without io). */
function readOptional(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !path.endsWith('/memory.current')) return '';
    throw err;
  }
}
