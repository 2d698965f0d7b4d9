import { resolveContainer } from '../containers/resolve.js';
import { alertActions, type AlertAction } from '../recovery/decisions/diagnosis.js';
import { containerOfAlert } from './payload.js';

export interface TargetOptions {
  /** Alert labels that name a container by name, in order of preference (the `id` label is read first, apart). */
  nameLabels: readonly string[];
  /** An alert naming a container only by name is acted on only when its `instance` matches; null: any instance. */
  instancePattern: RegExp | null;
}

export type AlertTarget =
  /** About another host's container: answered 2xx, not stored, not acted on. */
  | { kind: 'other-host'; reason: string }
  /** About no container (the engine, vigil itself). */
  | { kind: 'none' }
  /** `malformed`: the reference could name no container at all, read or not. */
  | { kind: 'unknown'; ref: string; reason: string; malformed: boolean }
  | { kind: 'ambiguous'; ref: string; reason: string }
  /** One of this host's containers; `actionable` false says why vigil may record it but not act. */
  | { kind: 'container'; id: string; name: string; by: 'id' | 'name'; actionable: true }
  | { kind: 'container'; id: string; name: string; by: 'id' | 'name'; actionable: false; reason: string };

/** Pure: the anchored form of VIGIL_ALERT_INSTANCE, as Prometheus anchors its regex matchers. */
export function instancePattern(source: string | undefined): RegExp | null {
  return source ? new RegExp(`^(?:${source})$`) : null;
}

/**
 * Pure: which container an alert is about, and whether it is this host's. The `id` label is globally
 * unique, so it decides alone; a name repeats across hosts, so it counts only with a matching `instance`.
 */
export function alertTarget(
  labels: Readonly<Record<string, string>>,
  containers: readonly { id: string; name: string }[],
  options: TargetOptions,
): AlertTarget {
  const instance = labels.instance;
  const instanceOk =
    options.instancePattern === null || (instance !== undefined && options.instancePattern.test(instance));
  const elsewhere = options.instancePattern !== null && instance !== undefined && !instanceOk;
  const otherHost = {
    kind: 'other-host' as const,
    reason: `instance "${instance}" does not match VIGIL_ALERT_INSTANCE`,
  };

  const id = labels.id?.trim().toLowerCase();
  if (id) {
    const wellFormed = /^[0-9a-f]{12,64}$/.test(id);
    const byId = wellFormed ? containers.filter((c) => c.id.startsWith(id)) : [];
    if (byId.length === 1)
      return { kind: 'container', id: byId[0]!.id, name: byId[0]!.name, by: 'id', actionable: true };
    if (elsewhere) return otherHost;
    return {
      kind: 'unknown',
      ref: id,
      reason: `no container with id ${id.slice(0, 64)} on this host`,
      malformed: !wellFormed,
    };
  }
  const name = containerOfAlert(
    labels,
    options.nameLabels.filter((l) => l !== 'id'),
  );
  if (elsewhere) return otherHost;
  if (name === null) return { kind: 'none' };
  const found = resolveContainer(name, containers);
  switch (found.kind) {
    case 'found':
      return instanceOk
        ? { kind: 'container', id: found.match.id, name: found.match.name, by: 'name', actionable: true }
        : {
            kind: 'container',
            id: found.match.id,
            name: found.match.name,
            by: 'name',
            actionable: false,
            reason:
              'it names the container only by name and carries no instance label to tell its host by (VIGIL_ALERT_INSTANCE is set)',
          };
    case 'ambiguous':
      return {
        kind: 'ambiguous',
        ref: name,
        reason: `"${name.slice(0, 100)}" matches ${found.matches.length} containers`,
      };
    case 'malformed':
      return { kind: 'unknown', ref: name, reason: found.reason, malformed: true };
    case 'not_found':
      return {
        kind: 'unknown',
        ref: name,
        reason: `no container named "${name.slice(0, 100)}" on this host`,
        malformed: false,
      };
  }
}

/** Pure: the action an alert's rule asks for: its `vigil_action` label; absent or `none` asks for nothing. */
export function requestedAction(
  labels: Readonly<Record<string, string>>,
): { ok: true; action: AlertAction | null } | { ok: false; problem: string } {
  const value = labels.vigil_action?.trim().toLowerCase();
  if (value === undefined || value === '' || value === 'none') return { ok: true, action: null };
  if ((alertActions as readonly string[]).includes(value)) return { ok: true, action: value as AlertAction };
  return { ok: false, problem: `vigil_action="${value.slice(0, 40)}" is not one of ${alertActions.join(', ')}, none` };
}
