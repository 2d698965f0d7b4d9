import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { cpuUtilisation, parseLoadavg, parseMeminfo, parseProcStat, type CpuTimes, type LoadAverages } from './proc.js';

/** The host's use, as /api/v1/system, the page and vigil_host_* report it. */
export interface HostReading {
  cpus: number;
  /** Busy share of all cores (0 to 1) between the last two sweeps; null until there are two readings. */
  cpuUtilisation: number | null;
  memoryTotalBytes: number;
  memoryAvailableBytes: number;
  load: LoadAverages;
}

const readText = (path: string) => readFile(path, 'utf8').catch(() => null);

/**
 * Reads the host's /proc (VIGIL_PROC_ROOT: the host's, mounted, when vigil runs in a container) once
 * per sweep and keeps the latest reading. A file that cannot be read or parsed falls back to Node's
 * view of the machine vigil runs on (and CPU to unknown).
 */
export class HostUsage {
  private previous: CpuTimes | null = null;
  private reading: HostReading;

  constructor(private readonly procRoot: string) {
    this.reading = { cpus: cpus().length, cpuUtilisation: null, ...fallbackMemory(), load: fallbackLoad() };
  }

  latest(): HostReading {
    return this.reading;
  }

  async read(): Promise<HostReading> {
    const [stat, meminfo, load] = await Promise.all([
      readText(join(this.procRoot, 'stat')),
      readText(join(this.procRoot, 'meminfo')),
      readText(join(this.procRoot, 'loadavg')),
    ]);
    const times = stat === null ? null : parseProcStat(stat);
    const utilisation = times && this.previous ? cpuUtilisation(this.previous, times) : null;
    if (times) this.previous = times;
    const memory = (meminfo === null ? null : parseMeminfo(meminfo)) ?? null;
    this.reading = {
      cpus: cpus().length,
      cpuUtilisation: utilisation,
      ...(memory
        ? { memoryTotalBytes: memory.totalBytes, memoryAvailableBytes: memory.availableBytes }
        : fallbackMemory()),
      load: (load === null ? null : parseLoadavg(load)) ?? fallbackLoad(),
    };
    return this.reading;
  }
}

function fallbackMemory() {
  return { memoryTotalBytes: totalmem(), memoryAvailableBytes: freemem() };
}

function fallbackLoad(): LoadAverages {
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  return { 1: one, 5: five, 15: fifteen };
}
