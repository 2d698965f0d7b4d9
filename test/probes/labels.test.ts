import test from 'ava';
import fc from 'fast-check';
import { parseCommand, parseDuration, parsePattern, PROBE_DEFAULTS, probeSpec } from '../../src/probes/labels.js';

const durations: [string, number][] = [
  ['0', 0],
  ['500ms', 500],
  ['30s', 30_000],
  ['1m30s', 90_000],
  ['1h', 3_600_000],
  ['1.5s', 1500],
  [' 2m ', 120_000],
];

for (const [text, ms] of durations)
  test(`parseDuration: "${text}" is ${ms} ms`, (t) => t.deepEqual(parseDuration(text), { ok: true, ms }));

for (const text of ['', '30', 's', '1x', '-1s', '1s1', 'forever', '1e3s', '25h'])
  test(`parseDuration: "${text}" is refused with a message`, (t) => {
    const parsed = parseDuration(text);
    t.false(parsed.ok);
    if (!parsed.ok) t.true(parsed.message.length > 0);
  });

test('parseDuration: any string gives a verdict, never a throw; what it accepts is 0 to a day', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^(\d{1,3}(ms|s|m|h)){1,3}$/)), (text) => {
        const parsed = parseDuration(text);
        if (parsed.ok) return Number.isInteger(parsed.ms) && parsed.ms >= 0 && parsed.ms <= 86_400_000;
        return typeof parsed.message === 'string';
      }),
    ),
  );
});

test('parseDuration: a sum of parts is the sum of their milliseconds', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.nat(23), fc.nat(59), fc.nat(59), (h, m, s) => {
        const parsed = parseDuration(`${h}h${m}m${s}s`);
        return parsed.ok && parsed.ms === ((h * 60 + m) * 60 + s) * 1000;
      }),
    ),
  );
});

const commands: [string, string[]][] = [
  ['cat /tmp/ok', ['cat', '/tmp/ok']],
  ['  test   -f  /tmp/ok ', ['test', '-f', '/tmp/ok']],
  [`sh -c "test -f /tmp/ok && echo fine"`, ['sh', '-c', 'test -f /tmp/ok && echo fine']],
  [`echo 'a  b' "c\\"d" e\\ f`, ['echo', 'a  b', 'c"d', 'e f']],
  [`printf ''`, ['printf', '']],
  ['["cat", "/tmp/o k"]', ['cat', '/tmp/o k']],
  ['echo $HOME *', ['echo', '$HOME', '*']],
];
for (const [text, argv] of commands)
  test(`parseCommand: ${text} → ${JSON.stringify(argv)} (no shell)`, (t) =>
    t.deepEqual(parseCommand(text), { ok: true, argv }));

for (const text of ['', '   ', `echo "open`, `echo 'open`, 'echo \\', '[]', '[1]', '["a",', '[""]', `''`])
  test(`parseCommand: ${JSON.stringify(text)} is refused`, (t) => t.false(parseCommand(text).ok));

test('parseCommand: words without quotes or backslashes come back as they were', (t) => {
  const word = fc.stringMatching(/^[A-Za-z0-9_./=:-]{1,12}$/);
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 6 }), (words) => {
        const parsed = parseCommand(words.join(' '));
        return parsed.ok && JSON.stringify(parsed.argv) === JSON.stringify(words);
      }),
    ),
  );
});

test('parseCommand: single-quoting any word keeps it whole, spaces and double quotes too', (t) => {
  const word = fc.string({ maxLength: 12 }).filter((w) => !w.includes("'"));
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 4 }), (words) => {
        const parsed = parseCommand(['run', ...words].map((w, i) => (i === 0 ? w : `'${w}'`)).join(' '));
        return parsed.ok && JSON.stringify(parsed.argv) === JSON.stringify(['run', ...words]);
      }),
    ),
  );
});

test('parseCommand: any string gives a verdict, never a throw', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.string(), (text) => {
        const parsed = parseCommand(text);
        return parsed.ok ? parsed.argv.length > 0 && parsed.argv[0] !== '' : parsed.message.length > 0;
      }),
    ),
  );
});

test('parsePattern: any string compiles or is refused with a message, never a throw', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.string(), (text) => {
        const parsed = parsePattern(text);
        return parsed.ok || parsed.message.length > 0;
      }),
    ),
  );
});

test('parsePattern: backreferences and lookaround (which need backtracking) are refused', (t) => {
  for (const pattern of ['(a)\\1', '(?=x)', '(?<!x)y', '(unclosed', '*']) t.false(parsePattern(pattern).ok, pattern);
});

test('a catastrophic-backtracking pattern over a long hostile line ends, with the right answer', (t) => {
  // a backtracking engine needs 2^50000 steps for these: it would never end, and the test would time
  // out. RE2's automaton ends in linear time; how fast is no assertion on a loaded machine's clock.
  const hostile: [string, boolean][] = [
    ['(a+)+$', false],
    ['(a|a)*$', true],
    ['(a*)*b', false],
    ['^(([a-z])+.)+[A-Z]([a-z])+$', false],
    ['(x+x+)+y', false],
    ['(a+)+!$', true],
  ];
  const line = `${'a'.repeat(50_000)}!`;
  for (const [pattern, matches] of hostile) {
    const parsed = parsePattern(pattern);
    t.true(parsed.ok, pattern);
    if (!parsed.ok) continue;
    t.is(parsed.regex.matcher(line).find(), matches, pattern);
  }
});

test('probeSpec: the defaults, and no probe without a probe label', (t) => {
  t.deepEqual(probeSpec({}), { exec: null, log: null, errors: [] });
  const spec = probeSpec({ 'vigil.probe.exec': 'cat /tmp/ok' });
  t.deepEqual(spec.exec, {
    command: ['cat', '/tmp/ok'],
    intervalMs: PROBE_DEFAULTS.intervalMs,
    timeoutMs: PROBE_DEFAULTS.timeoutMs,
    retries: PROBE_DEFAULTS.retries,
    startPeriodMs: PROBE_DEFAULTS.startPeriodMs,
  });
  const log = probeSpec({ 'vigil.probe.log': 'FATAL|panic' }).log;
  t.is(log?.windowMs, PROBE_DEFAULTS.logWindowMs);
  t.true(log?.regex.matcher('a panic here').find());
});

test('probeSpec: each bad label is named with its value; only the probe it belongs to is left out', (t) => {
  const spec = probeSpec({
    'vigil.probe.exec': 'cat /tmp/ok',
    'vigil.probe.interval': 'often',
    'vigil.probe.retries': '0',
    'vigil.probe.log': 'ERROR',
  });
  t.is(spec.exec, null);
  t.truthy(spec.log);
  t.deepEqual(
    spec.errors.map((e) => [e.label, e.value]),
    [
      ['vigil.probe.interval', 'often'],
      ['vigil.probe.retries', '0'],
    ],
  );
  const bad = probeSpec({ 'vigil.probe.log': '(?=x)', 'vigil.probe.exec': 'true' });
  t.is(bad.log, null);
  t.truthy(bad.exec);
  t.is(bad.errors[0]?.label, 'vigil.probe.log');
});

test('probeSpec: any labels give a spec, never a throw; a probe is there only when its labels all read', (t) => {
  const keys = fc.constantFrom(
    'vigil.probe.exec',
    'vigil.probe.log',
    'vigil.probe.interval',
    'vigil.probe.timeout',
    'vigil.probe.retries',
    'vigil.probe.start_period',
    'vigil.probe.log.window',
  );
  const value = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('1s', '30s', '0', '3', 'cat /x', '(a+)+$'));
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.dictionary(keys, value), (labels) => {
        const spec = probeSpec(labels);
        const named = new Set(spec.errors.map((e) => e.label));
        if (spec.exec && ['vigil.probe.exec', 'vigil.probe.interval', 'vigil.probe.timeout'].some((l) => named.has(l)))
          return false;
        return spec.errors.every((e) => labels[e.label] === e.value && e.message.length > 0);
      }),
    ),
  );
});
