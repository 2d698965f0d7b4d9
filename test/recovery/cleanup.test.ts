import test from 'ava';
import { cleanupDecision } from '../../src/recovery/cleanup.js';

const labelled = { 'vigil.cleanup': 'true' };
const gaveUp = 1_000_000;
const after = 600_000;

test('cleanup: only a labelled container vigil gave up on, that no person stopped and that is down, after the delay', (t) => {
  const base = { labels: labelled, state: 'exited', desired: 'running' as const, gaveUpAt: gaveUp };
  t.deepEqual(cleanupDecision(base, gaveUp + after, after), { kind: 'remove' });
  t.deepEqual(cleanupDecision(base, gaveUp + 1000, after), { kind: 'wait', inMs: after - 1000 });
  t.deepEqual(cleanupDecision({ ...base, labels: {} }, gaveUp + after, after), {
    kind: 'never',
    reason: 'not labelled vigil.cleanup=true',
  });
  t.deepEqual(cleanupDecision({ ...base, labels: { 'vigil.cleanup': 'yes' } }, gaveUp + after, after).kind, 'never');
  t.deepEqual(cleanupDecision({ ...base, desired: 'stopped' }, gaveUp + after, after), {
    kind: 'never',
    reason: 'a person stopped it',
  });
  t.deepEqual(cleanupDecision({ ...base, gaveUpAt: null }, gaveUp + after, after), {
    kind: 'never',
    reason: 'vigil has not given up on it',
  });
  t.deepEqual(cleanupDecision({ ...base, state: 'running' }, gaveUp + after, after), {
    kind: 'never',
    reason: 'it runs again',
  });
  t.deepEqual(cleanupDecision({ ...base, desired: undefined, state: 'dead' }, gaveUp + after, after), {
    kind: 'remove',
  });
});
