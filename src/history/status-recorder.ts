import type { Logger } from 'pino';
import { containerHealth } from '../containers/health.js';
import type { Inventory, InventoryEntry } from '../docker/inventory.js';
import type { HistoryStore } from '../store/history.js';
import { listen } from '../listen.js';
import { containerKey } from '../recovery/identity.js';

/**
 * The timeline behind the history API's daily health score: one `status` entry each time a
 * container's state or health changes. Not the medic's job; it only reads what the inventory says.
 */
export class StatusRecorder {
  private readonly lastStatus = new Map<string, string>();
  private unsubscribe: () => void = () => undefined;

  constructor(
    private readonly inventory: Inventory,
    private readonly history: HistoryStore,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  start(): void {
    this.unsubscribe = listen(this.inventory, {
      added: this.onChange,
      changed: this.onChange,
      probed: this.onChange,
      removed: this.onRemoved,
    });
  }

  stop(): void {
    this.unsubscribe();
  }

  /** Containers whose last status is held in memory (bounded by the containers the engine has). */
  get size(): number {
    return this.lastStatus.size;
  }

  private readonly onChange = (entry: InventoryEntry): void => {
    const { record } = entry;
    const key = containerKey(record);
    const health = containerHealth(entry);
    const status = `${record.state}/${health}`;
    if (this.lastStatus.get(key) === status) return;
    try {
      this.history.add({
        key,
        containerId: record.id,
        name: record.name,
        at: this.clock(),
        kind: 'status',
        data: { state: record.state, health, good: record.state === 'running' && health === 'healthy' },
      });
      this.lastStatus.set(key, status);
    } catch (err) {
      // tried again at the next change; the score then misses a stretch, nothing else does
      this.logger.warn({ err: (err as Error).message, container: record.name }, 'status not written to history');
    }
  };

  private readonly onRemoved = ({ record }: InventoryEntry): void => {
    this.lastStatus.delete(containerKey(record));
  };
}
