/** One pending timer per key: setting a key again replaces its timer. */
export class KeyedTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  get size(): number {
    return this.timers.size;
  }

  has(key: string): boolean {
    return this.timers.has(key);
  }

  set(key: string, inMs: number, fire: () => void): void {
    this.cancel(key);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        fire();
      }, inMs),
    );
  }

  cancel(key: string): void {
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
  }

  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
