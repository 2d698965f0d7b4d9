import { Counter, Gauge, type Registry } from 'prom-client';
import type { Medic } from '../../recovery/medic/medic.js';
import { perCollection } from './per-collection.js';

/** The medic's actions, and where each container it is recovering stands. */
export function registerRecoveryMetrics(registry: Registry, medic: Medic): void {
  const actions = new Counter({
    name: 'vigil_recovery_actions_total',
    help: 'Recovery actions taken, by action (restart, start, recreate, pull) and outcome (success, failure).',
    labelNames: ['action', 'outcome'],
    registers: [registry],
  });
  medic.on('action', ({ action, outcome }) => actions.inc({ action, outcome }));
  // one read of the recovery store for the three gauges below
  const states = perCollection(() => medic.recoveryStates());
  const perContainer = (
    name: string,
    help: string,
    value: (s: ReturnType<Medic['recoveryStates']>[number]) => number | null,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['id', 'name'],
      registers: [registry],
      collect() {
        this.reset();
        for (const entry of states()) {
          const v = value(entry);
          if (v !== null) this.set({ id: entry.record.shortId, name: entry.record.name }, v);
        }
      },
    });
  perContainer(
    'vigil_recovery_attempts',
    'Recovery actions on the container since it last ran healthy for the reset period.',
    (e) => e.state.attempts || null,
  );
  perContainer('vigil_recovery_backoff_seconds', 'Seconds until vigil may act on the container again.', (e) =>
    e.state.attempts > 0 ? Math.max(0, (e.state.nextAt - Date.now()) / 1000) : null,
  );
  perContainer('vigil_recovery_gave_up', '1 when vigil has given up recovering the container.', (e) =>
    e.state.gaveUpAt !== null ? 1 : null,
  );
}
