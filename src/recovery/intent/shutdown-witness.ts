import type { ContainerEngine } from '../../docker/engine.js';
import type { NewConnectionVerdict } from '../../docker/unreachable.js';
import { KILL_TO_DIE_WINDOW_MS } from '../decisions/intent.js';

/**
 * What the engine said to a new connection just after each kill, asked the moment vigil heard of it.
 * dockerd told to stop closes its listener first and only then stops the containers, while the event
 * stream it already serves goes on telling of the kills; the stream ends only when the rest of its
 * shutdown is done, which may be many seconds later (containerd slow to exit). So a kill after which
 * the engine refused a new connection (or, behind systemd's docker.socket, left it unanswered) was its
 * own shutdown's, and one after which it took a connection was a person's, however soon the engine
 * went away after it (test/integration/engine-shutdown.test.ts shows dockerd doing so).
 */
export class ShutdownWitness {
  private readonly verdicts = new Map<string, { heardAt: number; verdict: Promise<NewConnectionVerdict> }>();
  /**
   * The probe for the kills heard in this turn of the event loop: dialled once they are all heard, it
   * answers for each (`docker compose down` of 200 containers is one connection, not 200).
   */
  private batch: Promise<NewConnectionVerdict> | null = null;

  constructor(
    private readonly engine: Pick<ContainerEngine, 'probeNewConnection'>,
    /** How long a verdict is kept: the intent tracker asks for it when the kill's die comes. */
    private readonly keepMs = KILL_TO_DIE_WINDOW_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** A container's kill, stamped by the engine at `killAt` (ms): the engine is asked right after. */
  heardKill(id: string, killAt: number): void {
    const now = this.clock();
    for (const [key, { heardAt }] of this.verdicts) if (now - heardAt > this.keepMs) this.verdicts.delete(key);
    this.batch ??= this.probeAfterThisTurn();
    this.verdicts.set(`${id}@${killAt}`, { heardAt: now, verdict: this.batch });
  }

  /** What the engine said after that kill; unknown for a kill vigil did not hear live. */
  verdictAfter(id: string, killAt: number): Promise<NewConnectionVerdict> {
    return this.verdicts.get(`${id}@${killAt}`)?.verdict ?? Promise.resolve('unknown');
  }

  /** Per-kill entries held: bounded by the time they are kept, whatever the engine does. */
  get size(): number {
    return this.verdicts.size;
  }

  private async probeAfterThisTurn(): Promise<NewConnectionVerdict> {
    await new Promise((resolve) => setImmediate(resolve));
    // a kill heard from here on is after this probe was dialled: it gets one of its own
    this.batch = null;
    return this.engine.probeNewConnection().catch((): NewConnectionVerdict => 'unknown');
  }
}
