import type { ContainerEngine } from '../../docker/engine.js';
import type { NewConnectionVerdict } from '../../docker/unreachable.js';

/** How long the probe after a kill may take: a refusal is immediate, so a slow answer says "busy", not "closing". */
const PROBE_TIMEOUT_MS = 2000;

/**
 * What the engine said to a new connection just after each kill, asked the moment vigil heard of it.
 * dockerd told to stop closes its listener first and only then stops the containers, while the event
 * stream it already serves goes on telling of the kills; the stream ends only when the rest of its
 * shutdown is done, which may be many seconds later (containerd slow to exit). So a kill the engine
 * refused a new connection after was its own shutdown's, and one it took a connection after was a
 * person's, however soon the engine went away after it.
 */
export class ShutdownWitness {
  private readonly verdicts = new Map<string, { heardAt: number; verdict: Promise<NewConnectionVerdict> }>();

  constructor(
    private readonly engine: Pick<ContainerEngine, 'probeNewConnection'>,
    /** Verdicts older than this are dropped: the intent tracker looks no further back. */
    private readonly keepMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** A container's kill, stamped by the engine at `killAt` (ms): the engine is asked at once. */
  heardKill(id: string, killAt: number): void {
    const now = this.clock();
    for (const [key, { heardAt }] of this.verdicts) if (now - heardAt > this.keepMs) this.verdicts.delete(key);
    const verdict = this.engine.probeNewConnection(PROBE_TIMEOUT_MS).catch((): NewConnectionVerdict => 'unknown');
    this.verdicts.set(`${id}@${killAt}`, { heardAt: now, verdict });
  }

  /** What the engine said after that kill; unknown for a kill vigil did not hear live. */
  verdictAfter(id: string, killAt: number): Promise<NewConnectionVerdict> {
    return this.verdicts.get(`${id}@${killAt}`)?.verdict ?? Promise.resolve('unknown');
  }

  /** Per-kill entries held: bounded by the window, whatever the engine does. */
  get size(): number {
    return this.verdicts.size;
  }
}
