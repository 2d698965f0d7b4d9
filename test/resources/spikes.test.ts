import test from 'ava';
import fc from 'fast-check';
import {
  NORMAL,
  nextSpikeState,
  parseDuration,
  thresholdsFor,
  type SpikeLevel,
  type SpikeThresholds,
} from '../../src/resources/spikes.js';

const t80: SpikeThresholds = { warn: 80, crit: 90, forSweeps: 3, hysteresis: 5 };

/** The level reported after each value of a series. */
function levels(series: (number | null)[], t = t80): SpikeLevel[] {
  let state = NORMAL;
  return series.map((v) => (state = nextSpikeState(state, v, t)).level);
}

const table: [string, (number | null)[], SpikeLevel[]][] = [
  ['below the line stays normal', [10, 50, 79, 79], ['normal', 'normal', 'normal', 'normal']],
  ['over the warning line for three sweeps is a warning', [85, 85, 85, 85], ['normal', 'normal', 'warning', 'warning']],
  [
    'a blip shorter than the sustain is nothing',
    [95, 95, 10, 95, 95, 10],
    ['normal', 'normal', 'normal', 'normal', 'normal', 'normal'],
  ],
  ['over the critical line for three sweeps is critical', [95, 95, 95], ['normal', 'normal', 'critical']],
  [
    'warning, then critical once critical has held',
    [85, 85, 85, 95, 95, 95],
    ['normal', 'normal', 'warning', 'warning', 'warning', 'critical'],
  ],
  // hysteresis: 78 is under the line but within 5 points of it, so the warning holds
  [
    'hovering just under the line does not flap',
    [85, 85, 85, 78, 81, 78, 79, 78],
    ['normal', 'normal', 'warning', 'warning', 'warning', 'warning', 'warning', 'warning'],
  ],
  [
    'well under the line for three sweeps is normal again',
    [85, 85, 85, 60, 60, 60],
    ['normal', 'normal', 'warning', 'warning', 'warning', 'normal'],
  ],
  ['a sweep that read nothing changes nothing', [85, null, 85, 85], ['normal', 'normal', 'normal', 'warning']],
];
for (const [title, series, expected] of table) {
  test(`detector: ${title}`, (t) => t.deepEqual(levels(series), expected));
}

test('property: a change of level takes at least the sustain of read sweeps since the last, never a null sweep', (t) => {
  const value = fc.oneof(fc.double({ min: 0, max: 200, noNaN: true }), fc.constant(null));
  fc.assert(
    fc.property(fc.array(value, { maxLength: 60 }), (series) => {
      const out = levels(series);
      let readSinceChange = 0;
      let previous: SpikeLevel = 'normal';
      for (const [i, level] of out.entries()) {
        if (series[i] !== null) readSinceChange++;
        if (level === previous) continue;
        if (series[i] === null || readSinceChange < t80.forSweeps) return false;
        previous = level;
        readSinceChange = 0;
      }
      return true;
    }),
    { seed: 21 },
  );
  t.deepEqual(levels([]), []);
});

test('labels override the configured lines and sustain; a label that does not parse is ignored', (t) => {
  const defaults = { cpu: { warn: 80, crit: 90 }, memory: { warn: 80, crit: 90 }, forSeconds: 120 };
  const own = thresholdsFor(
    { 'vigil.cpu.warn': '20', 'vigil.spike.for': '2s', 'vigil.memory.crit': 'lots' },
    defaults,
    0.5,
  );
  t.like(own.cpu, { warn: 20, crit: 90, forSweeps: 4 });
  t.like(own.memory, { warn: 80, crit: 90, forSweeps: 4 });
  t.like(thresholdsFor({}, defaults, 5).cpu, { warn: 80, crit: 90, forSweeps: 24 });
  t.is(thresholdsFor({ 'vigil.cpu.crit': '50' }, defaults, 5).cpu.crit, 80, 'critical is never below warning');
});

test('durations read as Prometheus writes them, or plain seconds', (t) => {
  t.is(parseDuration('2m'), 120);
  t.is(parseDuration('90s'), 90);
  t.is(parseDuration('1h'), 3600);
  t.is(parseDuration('45'), 45);
  t.is(parseDuration('soon'), null);
});
