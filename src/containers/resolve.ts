/** How `:id` in a URL finds a container: a name or an id prefix, as Docker's own CLI resolves them. */

export type Resolution<T> =
  | { kind: 'found'; match: T }
  | { kind: 'not_found' }
  | { kind: 'ambiguous'; matches: T[] }
  | { kind: 'malformed'; reason: string };

/** Docker's container name grammar, with the leading slash the engine keeps internally. */
const namePattern = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const MAX_REF_LENGTH = 255;

/** Pure: a full id wins, then an exact name, then a unique id prefix. */
export function resolveContainer<T extends { id: string; name: string }>(
  ref: string,
  containers: readonly T[],
): Resolution<T> {
  if (ref.length === 0) return { kind: 'malformed', reason: 'the container reference is empty' };
  if (ref.length > MAX_REF_LENGTH)
    return { kind: 'malformed', reason: `the container reference is longer than ${MAX_REF_LENGTH} characters` };
  if (!namePattern.test(ref)) {
    return {
      kind: 'malformed',
      reason: 'a container reference is a name ([a-zA-Z0-9][a-zA-Z0-9_.-]*) or a hexadecimal id prefix',
    };
  }
  const name = ref.replace(/^\//, '');
  const byId = containers.find((c) => c.id === name);
  if (byId) return { kind: 'found', match: byId };
  const byName = containers.find((c) => c.name === name);
  if (byName) return { kind: 'found', match: byName };
  if (!/^[0-9a-f]+$/.test(name)) return { kind: 'not_found' };
  const matches = containers.filter((c) => c.id.startsWith(name));
  if (matches.length === 1) return { kind: 'found', match: matches[0]! };
  if (matches.length > 1) return { kind: 'ambiguous', matches };
  return { kind: 'not_found' };
}
