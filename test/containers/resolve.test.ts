import test from 'ava';
import fc from 'fast-check';
import { resolveContainer } from '../../src/containers/resolve.js';

const containers = [
  { id: 'abc123' + '0'.repeat(58), name: 'web' },
  { id: 'abd456' + '1'.repeat(58), name: 'worker' },
  { id: 'ff0000' + '2'.repeat(58), name: 'abc' },
];

test('an exact name is found', (t) => {
  const r = resolveContainer('worker', containers);
  t.is(r.kind === 'found' && r.match.name, 'worker');
});

test('a leading slash, as the engine writes names, is accepted', (t) => {
  const r = resolveContainer('/web', containers);
  t.is(r.kind === 'found' && r.match.name, 'web');
});

test('a unique id prefix is found; a full id too', (t) => {
  const r = resolveContainer('abc1', containers);
  t.is(r.kind === 'found' && r.match.name, 'web');
  const full = resolveContainer(containers[1]!.id, containers);
  t.is(full.kind === 'found' && full.match.name, 'worker');
});

test('a name wins over an id prefix that looks the same', (t) => {
  const r = resolveContainer('abc', containers);
  t.is(r.kind === 'found' && r.match.name, 'abc');
});

test('a shared prefix is ambiguous and lists every match', (t) => {
  const r = resolveContainer('ab', containers);
  t.is(r.kind, 'ambiguous');
  t.deepEqual(r.kind === 'ambiguous' && r.matches.map((m) => m.name).sort(), ['web', 'worker']);
});

test('nothing matching is not found', (t) => {
  t.is(resolveContainer('nope', containers).kind, 'not_found');
  t.is(resolveContainer('0123', containers).kind, 'not_found');
});

test('hostile or malformed references are refused before any lookup', (t) => {
  for (const ref of ['../../etc/passwd', 'a b', '', '-leading-dash', 'x'.repeat(300), 'name;rm', '%00', 'a/b']) {
    t.is(resolveContainer(ref, containers).kind, 'malformed', ref);
  }
});

test('property: any reference resolves to one of the containers given, or says why not; it never invents one', (t) => {
  const container = fc.record({
    id: fc.hexaString({ minLength: 64, maxLength: 64 }),
    name: fc.stringMatching(/^[a-z][a-z0-9_.-]{0,15}$/),
  });
  fc.assert(
    fc.property(
      fc.array(container, { maxLength: 6 }),
      fc.oneof(fc.string({ maxLength: 300 }), fc.hexaString({ maxLength: 64 })),
      (list, ref) => {
        const result = resolveContainer(ref, list);
        if (result.kind === 'found') {
          t.true(list.includes(result.match));
          const bare = ref.replace(/^\//, '');
          t.true(result.match.id === bare || result.match.name === bare || result.match.id.startsWith(bare));
        }
        if (result.kind === 'ambiguous') t.true(result.matches.length > 1);
        if (result.kind === 'malformed') t.truthy(result.reason);
      },
    ),
    { numRuns: 2000, seed: 10 },
  );
});
