import type { Logger } from 'pino';
import type { DesiredState, DesiredStateStore } from '../../store/desired-state.js';
import type { HistoryStore } from '../../store/history.js';
import type { RecoveryStateStore } from '../../store/recovery-state.js';

export interface IntentStores {
  desired: DesiredStateStore;
  recovery: RecoveryStateStore;
  history: HistoryStore;
}

/**
 * The rows vigil keeps under a container's key: its desired state, its backoff and its history.
 * Desired state that the store cannot take (read-only, full) is kept here and written when it can, so
 * none is lost. History is worth less than either: a write of it that fails is logged, not thrown.
 */
export class ContainerRows {
  private readonly unsaved = new Map<string, DesiredState>();

  constructor(
    private readonly stores: IntentStores,
    private readonly logger: Logger,
  ) {}

  desired(key: string): DesiredState | undefined {
    return this.unsaved.get(key) ?? this.stores.desired.get(key);
  }

  putDesired(state: DesiredState): void {
    this.unsaved.delete(state.key);
    try {
      this.flush();
      this.stores.desired.put(state);
    } catch (err) {
      this.unsaved.set(state.key, state);
      this.logger.error(
        { err: (err as Error).message, container: state.name },
        'desired state not written; kept in memory until the store takes it',
      );
    }
  }

  /** Writes what the store refused earlier; true when nothing is left waiting. */
  flush(): boolean {
    const recoveryWritten = this.stores.recovery.flush();
    for (const [key, state] of this.unsaved) {
      try {
        this.stores.desired.put(state);
        this.unsaved.delete(key);
      } catch {
        return false;
      }
    }
    return recoveryWritten;
  }

  /** Desired states held in memory for want of the store. */
  get unsavedDesired(): number {
    return this.unsaved.size;
  }

  get unsavedCount(): number {
    return this.unsaved.size + this.stores.recovery.unsavedCount;
  }

  /** A person (or their tooling) took the container back: whatever vigil had tried or given up is forgiven. */
  forgiveBackoff(key: string, when: 'gave-up' | 'any-attempt'): void {
    const recovery = this.stores.recovery.get(key);
    const owed = recovery.gaveUpAt !== null || (when === 'any-attempt' && recovery.attempts > 0);
    if (owed) this.stores.recovery.put({ ...recovery, gaveUpAt: null, attempts: 0, nextAt: 0 });
  }

  /**
   * A recreated container (same configuration, new id): its desired state, backoff and history go with
   * it. False when it had no desired state, and so nothing moved.
   */
  moveTo(from: string, to: string, newId: string): boolean {
    const desired = this.desired(from);
    if (!desired) return false;
    this.putDesired({ ...desired, key: to, containerId: newId });
    this.stores.recovery.put({ ...this.stores.recovery.get(from), key: to });
    this.guard('history not carried to the recreated container', () => this.stores.history.rekey(from, to));
    return true;
  }

  /** The container is gone: its desired state and backoff are no one's (the history stays). */
  forget(key: string): void {
    this.unsaved.delete(key);
    this.stores.recovery.forget(key);
    this.guard('desired state of a removed container not deleted', () => this.stores.desired.forget(key));
  }

  addHistory(key: string, container: { id: string; name: string }, at: number, data: Record<string, unknown>): void {
    this.guard('intent history not written', () =>
      this.stores.history.add({ key, containerId: container.id, name: container.name, at, kind: 'intent', data }),
    );
  }

  private guard(what: string, write: () => void): void {
    try {
      write();
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, what);
    }
  }
}
