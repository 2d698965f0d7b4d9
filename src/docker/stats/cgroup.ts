import { existsSync, readFileSync } from 'node:fs';
import { heldFileBudget, KernelFile } from './kernel-file.js';
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

/** One container's files, held open between sweeps while the budget allows. */
interface HeldFiles {
  pid: number;
  version: 1 | 2;
  /** An array, not a Map: a Map's entries are an array each, per file per sweep. */
  files: { name: string; file: KernelFile }[];
  /** memory.stat as last read, with what it was read against (see memoryStatDue). */
  memoryStat?: MemoryStatReading;
}

/** memory.stat's text, and the counters and limit that stood when it was read. */
export interface MemoryStatReading {
  text: string;
  readAt: number;
  cpu: string;
  usage: string;
  limitBytes: number | null;
}

/** The longest a container's memory.stat is reused while its counters stand still. */
export const MEMORY_STAT_REUSE_MS = 15_000;

/**
 * Pure: whether a container's memory.stat must be read again this sweep. It is the dearest file of a
 * sweep by far (30 µs of the kernel's time against 1–5 µs for each other file, measured on this
 * machine's v1 hierarchy: two thirds of a sweep's reading at 1,000 containers), and it moves with the
 * container's own work: a container whose CPU counter and memory usage are exactly as they were, and
 * whose limit has not been changed (`docker update`), has its last text reused, for at most
 * MEMORY_STAT_REUSE_MS, since the kernel can still age its pages between the LRU lists unseen (or another
 * cgroup touch its page cache, or DAMON reclaim it). cAdvisor's dynamic housekeeping backs off from
 * unchanged containers the same way, for whole readings and up to the same 15 s by default.
 */
export function memoryStatDue(
  last: MemoryStatReading | undefined,
  now: { at: number; cpu: string; usage: string; limitBytes: number | null },
): boolean {
  if (!last) return true;
  return (
    now.cpu !== last.cpu ||
    now.usage !== last.usage ||
    now.limitBytes !== last.limitBytes ||
    now.at - last.readAt >= MEMORY_STAT_REUSE_MS
  );
}

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
  private readonly held = new Map<string, HeldFiles>();
  private readonly budget: number;
  private heldCount = 0;

  constructor(
    private readonly cgroupRoot = '/sys/fs/cgroup',
    private readonly procRoot = '/proc',
    private readonly now: () => number = Date.now,
  ) {
    this.unified = existsSync(`${cgroupRoot}/cgroup.controllers`);
    // vigil's own limit, from its own /proc whatever procRoot shows of the host
    this.budget = heldFileBudget(readOptional('/proc/self/limits'));
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
    for (const id of this.held.keys()) if (!live.has(id)) this.release(id);
    return out;
  }

  private read(c: ContainerRecord): ResourceSample | null {
    if (c.pid <= 0) return null;
    let files: HeldFiles | null = null;
    try {
      files = this.filesFor(c);
      if (!files) return null;
      const text: Record<string, string> = {};
      // indexed: under npm start's --no-opt a for…of allocates an iterator result per step, per file
      for (let i = 0; i < files.files.length; i++) {
        const { name, file } = files.files[i]!;
        text[name] = name === 'memory.stat' ? this.memoryStat(c, files, file, text) : file.read();
      }
      // the names are those cgroupFilePaths gave, plus netDev: the shape of the version's files
      return files.version === 1
        ? parseCgroupV1(text as unknown as CgroupV1Files)
        : parseCgroupV2(text as unknown as CgroupV2Files);
    } catch {
      // the container stopped between the inventory's view and this read; its files are stale
      this.release(c.id);
      return null;
    } finally {
      if (files && !this.held.has(c.id)) for (const { file } of files.files) file.close();
    }
  }

  /**
   * memory.stat, read now or reused (memoryStatDue). The files before it in the list are the CPU
   * counter and the memory usage it is weighed against, so they are in `text` already.
   */
  private memoryStat(c: ContainerRecord, files: HeldFiles, file: KernelFile, text: Record<string, string>): string {
    const cpu = text[files.version === 1 ? 'cpuacct.usage' : 'cpu.stat'];
    const usage = text[files.version === 1 ? 'memory.usage_in_bytes' : 'memory.current'];
    if (cpu === undefined || usage === undefined) return file.read();
    const now = { at: this.now(), cpu, usage, limitBytes: c.limits.memoryBytes };
    if (!memoryStatDue(files.memoryStat, now)) return files.memoryStat!.text;
    const read = file.read();
    files.memoryStat = { text: read, readAt: now.at, cpu: now.cpu, usage: now.usage, limitBytes: now.limitBytes };
    return read;
  }

  /** The container's files, held from an earlier sweep or opened now (and held if the budget allows). */
  private filesFor(c: ContainerRecord): HeldFiles | null {
    const held = this.held.get(c.id);
    if (held && held.pid === c.pid) return held;
    if (held) this.release(c.id);
    const membership = parseProcCgroup(readFileSync(`${this.procRoot}/${c.pid}/cgroup`, 'utf8'));
    // the engine names every container's cgroup after its id; a pid whose cgroup does not is another
    // process (the engine is on another machine, or the container's process has gone and its pid reused)
    if (!belongsTo(membership, c.id)) return null;
    const paths = cgroupFilePaths(membership, this.cgroupRoot, this.unified);
    if (!paths) return null;
    const files = openAll(paths, `${this.procRoot}/${c.pid}/net/dev`);
    const opened: HeldFiles = { pid: c.pid, version: paths.version, files };
    if (this.heldCount + files.length <= this.budget) {
      this.held.set(c.id, opened);
      this.heldCount += files.length;
    }
    return opened;
  }

  private release(id: string): void {
    const held = this.held.get(id);
    if (!held) return;
    for (const { file } of held.files) file.close();
    this.heldCount -= held.files.length;
    this.held.delete(id);
  }
}

/** Opens every file of a container, or none: one that fails closes those opened before it. */
function openAll(paths: FilePaths, netDev: string): HeldFiles['files'] {
  const files: HeldFiles['files'] = [];
  try {
    files.push({ name: 'netDev', file: KernelFile.open(netDev) });
    for (const [name, path] of Object.entries(paths.files)) {
      // v2 leaves out a file whose controller is not enabled for the subtree (io.stat without io)
      const optional = paths.version === 2 && !path.endsWith('/memory.current');
      files.push({ name, file: KernelFile.open(path, optional) });
    }
    return files;
  } catch (err) {
    for (const { file } of files) file.close();
    throw err;
  }
}

function belongsTo(membership: ReturnType<typeof parseProcCgroup>, id: string): boolean {
  return [membership.v2, ...Object.values(membership.v1)].some((path) => path?.includes(id));
}

function readOptional(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
