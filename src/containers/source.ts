import type { InventoryEntry } from '../docker/inventory.js';
import type { ContainerSnapshot } from '../sampler.js';
import { resolveContainer } from './resolve.js';
import type { ViewContext } from './view.js';
import type { SystemReadings } from './system.js';

/** What the JSON API and NATS read containers from: the inventory, the latest samples, the view context. */
export interface ContainersSource {
  containers(): InventoryEntry[];
  snapshot(entry: InventoryEntry): ContainerSnapshot | undefined;
  context(): ViewContext;
  /** The host's latest reading and the notification queue, for /api/v1/system; absent in tests of containers alone. */
  system?: SystemReadings;
  /**
   * True while vigil's first read of the engine's containers is under way: a name not known yet may
   * be one not read yet. Bounded (service.ts): an engine that never lets the read finish ends it.
   */
  stillReading?(): boolean;
}

/** Why a reference found no single container, as a status both HTTP and NATS replies carry. */
export interface LookupProblem {
  status: 400 | 404 | 409 | 503;
  message: string;
  details: Record<string, unknown>;
}

/** What a client asking during the inventory's first read is told to wait before asking again. */
export const SYNCING_RETRY_AFTER_SECONDS = 1;

/** A reference (`:id` in a URL, a NATS request's body) → the entry, or the problem that says why not. */
export function lookUpContainer(
  ref: string,
  source: ContainersSource,
): { ok: true; entry: InventoryEntry } | { ok: false; problem: LookupProblem } {
  const entries = source.containers();
  const result = resolveContainer(
    ref,
    entries.map((e) => ({ id: e.record.id, name: e.record.name, entry: e })),
  );
  const problem = (status: LookupProblem['status'], message: string, details = {}) =>
    ({ ok: false, problem: { status, message, details } }) as const;
  switch (result.kind) {
    case 'found':
      return { ok: true, entry: result.match.entry };
    case 'malformed':
      return problem(400, `malformed container reference: ${result.reason}`);
    case 'not_found':
      // until the first full read of the engine, "no such container" would be a guess: a container that
      // exists is said missing to whoever asks in vigil's first moments, so they are told to ask again
      if (source.stillReading?.() === true)
        return problem(503, `vigil is still reading the engine's containers; ask again in a moment`, {
          retryAfterSeconds: SYNCING_RETRY_AFTER_SECONDS,
        });
      return problem(404, `no container named or with an id starting "${ref}"`);
    case 'ambiguous':
      return problem(409, `"${ref}" matches ${result.matches.length} containers; use a longer id prefix or the name`, {
        matches: result.matches.map((m) => ({ id: m.entry.record.shortId, name: m.entry.record.name })),
      });
  }
}
