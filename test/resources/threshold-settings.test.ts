import test from 'ava';
import fc from 'fast-check';
import { thresholdsChangeSchema } from '../../src/http/routes/settings.js';
import { thresholdsFor } from '../../src/resources/spikes.js';
import {
  applyThresholdsChange,
  effectiveThresholds,
  spikeThresholdsOf,
} from '../../src/resources/threshold-settings.js';

const defaults = { cpu: { warn: 80, crit: 90 }, memory: { warn: 85, crit: 95 }, forSeconds: 120 };

test('page over label over configuration, each value with its source', (t) => {
  const labels = { 'vigil.cpu.warn': '50', 'vigil.spike.for': '30s', 'vigil.memory.crit': 'lots' };
  const s = effectiveThresholds(labels, defaults, { cpu: { crit: 70 }, sustainSeconds: 10 });
  t.deepEqual(s.cpu.warn, { value: 50, source: 'label' });
  t.deepEqual(s.cpu.crit, { value: 70, source: 'page' });
  t.deepEqual(s.memory.warn, { value: 85, source: 'default' });
  t.deepEqual(s.memory.crit, { value: 95, source: 'default' }, 'a label that does not parse is ignored');
  t.deepEqual(s.sustainSeconds, { value: 10, source: 'page' });
  t.deepEqual(effectiveThresholds(labels, defaults, { cpu: { warn: 20 } }).cpu.warn, { value: 20, source: 'page' });
  t.deepEqual(effectiveThresholds(labels, defaults, undefined).sustainSeconds, { value: 30, source: 'label' });
});

test("vigil's own lines say whether the file, the environment or the default set them", (t) => {
  const origins = {
    cpu: { warn: 'file', crit: 'env' },
    memory: { warn: 'default', crit: 'file' },
    forSeconds: 'env',
  } as const;
  const s = effectiveThresholds({}, { ...defaults, origins }, undefined);
  t.deepEqual(
    [s.cpu.warn.source, s.cpu.crit.source, s.memory.warn.source, s.memory.crit.source, s.sustainSeconds.source],
    ['file', 'env', 'default', 'file', 'env'],
  );
  t.deepEqual(effectiveThresholds({ 'vigil.cpu.warn': '50' }, { ...defaults, origins }, undefined).cpu.warn, {
    value: 50,
    source: 'label',
  });
});

test('without page values, the lines are those the labels alone gave', (t) => {
  const labelSets = fc.record(
    {
      'vigil.cpu.warn': fc.oneof(fc.integer({ min: -5, max: 300 }).map(String), fc.string({ maxLength: 4 })),
      'vigil.cpu.crit': fc.integer({ min: 1, max: 300 }).map(String),
      'vigil.memory.warn': fc.integer({ min: 1, max: 100 }).map(String),
      'vigil.spike.for': fc.constantFrom('1s', '2m', '90', 'soon'),
    },
    { requiredKeys: [] },
  );
  t.notThrows(() =>
    fc.assert(
      fc.property(labelSets, fc.constantFrom(0.5, 1, 5, 10), (labels, interval) => {
        const lines = spikeThresholdsOf(effectiveThresholds(labels, defaults, undefined), interval);
        return JSON.stringify(lines) === JSON.stringify(thresholdsFor(labels, defaults, interval));
      }),
    ),
  );
});

test('a change: a number sets, null gives back, absent leaves; nothing left is no row', (t) => {
  const set = applyThresholdsChange(undefined, { cpu: { warn: 30 }, sustainSeconds: 5 });
  t.deepEqual(set, { cpu: { warn: 30 }, sustainSeconds: 5 });
  const more = applyThresholdsChange(set, { memory: { crit: 99 } });
  t.deepEqual(more, { cpu: { warn: 30 }, memory: { crit: 99 }, sustainSeconds: 5 });
  t.deepEqual(applyThresholdsChange(more, { cpu: { warn: null }, memory: { crit: null }, sustainSeconds: null }), {});
});

test('a change and its reversal leave the settings as they were (fast-check)', (t) => {
  const line = fc.option(fc.integer({ min: 1, max: 500 }), { nil: undefined });
  const page = fc.record({ cpu: fc.record({ warn: line, crit: line }), sustainSeconds: line });
  t.notThrows(() =>
    fc.assert(
      fc.property(page, fc.integer({ min: 1, max: 500 }), (p, warn) => {
        const clean = applyThresholdsChange(undefined, p);
        const changed = applyThresholdsChange(clean, { cpu: { warn } });
        const back = applyThresholdsChange(changed, { cpu: { warn: clean.cpu?.warn ?? null } });
        return JSON.stringify(back) === JSON.stringify(clean);
      }),
    ),
  );
});

test('the body of a change: only numbers in range, null or absent, no other field', (t) => {
  t.true(thresholdsChangeSchema.safeParse({ cpu: { warn: 30, crit: null }, sustainSeconds: 60 }).success);
  t.false(thresholdsChangeSchema.safeParse({ cpu: { warn: 0 } }).success);
  t.false(thresholdsChangeSchema.safeParse({ cpu: { warn: '30' } }).success);
  t.false(thresholdsChangeSchema.safeParse({ disk: { warn: 30 } }).success);
  t.false(thresholdsChangeSchema.safeParse({ sustainSeconds: 86_401 }).success);
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.anything(), (body) => {
        const r = thresholdsChangeSchema.safeParse(body);
        return !r.success || (typeof body === 'object' && body !== null);
      }),
    ),
  );
});
