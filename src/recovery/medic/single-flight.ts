/** What a request to run came to: run, with what the work returned, or not run because the key was held. */
export type Flight<T> = { ran: true; value: T } | { ran: false };

/**
 * One evaluation or action per container at a time. Two interleaving at an await would both see the
 * same backoff state and both act; a request that comes while one runs is remembered, and runs once
 * after it.
 */
export class SingleFlight {
  private readonly busy = new Set<string>();
  private readonly again = new Set<string>();

  get size(): number {
    return this.busy.size;
  }

  isBusy(key: string): boolean {
    return this.busy.has(key);
  }

  /**
   * Runs `work` holding `key`, and says what it returned. When the key is already held, nothing runs
   * now; `whenFree` is called once the holder is done, however many times it was asked meanwhile.
   */
  async run<T>(key: string, work: () => Promise<T>, whenFree?: () => void): Promise<Flight<T>> {
    if (this.busy.has(key)) {
      if (whenFree) this.again.add(key);
      return { ran: false };
    }
    this.busy.add(key);
    try {
      return { ran: true, value: await work() };
    } finally {
      this.busy.delete(key);
      if (this.again.delete(key)) whenFree?.();
    }
  }

  /** The key belongs to no container any more. */
  forget(key: string): void {
    this.again.delete(key);
  }

  /** Resolves when nothing is held (at shutdown). */
  async idle(): Promise<void> {
    while (this.busy.size > 0) await new Promise((r) => setTimeout(r, 50));
  }
}
