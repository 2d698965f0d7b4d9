import test from 'ava';
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
