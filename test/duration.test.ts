import test from 'ava';
import fc from 'fast-check';
import { msPer, parseDurationMs, type DurationUnit } from '../src/duration.js';

const units = Object.keys(msPer) as DurationUnit[];
const unitArb = fc.constantFrom(...units);
const amountArb = fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.double({ min: 0, max: 1e6, noNaN: true }));

test('a duration is a number and a unit, or a bare number in the unit the setting names', (t) => {
  const table: [string, DurationUnit, number | null][] = [
    ['30s', 'h', 30_000],
    ['500ms', 's', 500],
    ['5m', 's', 300_000],
    ['2h', 's', 7_200_000],
    ['1d', 's', 86_400_000],
    ['1.5 h', 's', 5_400_000],
    [' 10 ', 's', 10_000],
    ['0.5', 's', 500],
    ['60', 'm', 3_600_000],
    ['24', 'h', 86_400_000],
    ['1e3', 's', 1_000_000],
    ['', 's', null],
    ['s', 's', null],
    ['-5', 's', null],
    ['-5s', 's', null],
    ['5 minutes', 's', null],
    ['5sec', 's', null],
    ['Infinity', 's', null],
    ['1h30m', 's', null],
    [`${'9'.repeat(400)}s`, 's', null],
    ['1e400', 's', null],
    ['1e306', 'd', null],
  ];
  for (const [text, unit, ms] of table) t.is(parseDurationMs(text, unit), ms, `${text} (${unit})`);
});

test('property: an amount written with any unit is that many of the unit in milliseconds, whatever the bare unit', (t) => {
  // fc.assert throws with the shrunk counterexample when the property fails
  t.notThrows(() =>
    fc.assert(
      fc.property(amountArb, unitArb, unitArb, fc.constantFrom('', ' '), (amount, unit, bare, space) => {
        const ms = parseDurationMs(`${amount}${space}${unit}`, bare);
        // exponent notation (1e-7) is Number's, not the suffix form's
        if (String(amount).includes('e')) return ms === null;
        return ms === amount * msPer[unit];
      }),
    ),
  );
});

test('property: a bare number is in the bare unit, and any text gives milliseconds that are finite and never negative, or null', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(amountArb, unitArb, (amount, bare) => parseDurationMs(String(amount), bare) === amount * msPer[bare]),
    ),
  );
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.string(), unitArb, (text, bare) => {
        const ms = parseDurationMs(text, bare);
        return ms === null || (Number.isFinite(ms) && ms >= 0);
      }),
    ),
  );
});
