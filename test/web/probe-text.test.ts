import test from 'ava';
import { healthSourceText, probeLines, type ProbeView } from '../../web/src/probe-text.js';

const now = Date.parse('2026-12-01T10:00:30Z');

test('an exec probe reads its command, verdict, failing streak and last answer', (t) => {
  const probe: ProbeView = {
    status: 'unhealthy',
    exec: {
      command: ['wget', '-q', 'localhost'],
      status: 'unhealthy',
      failingStreak: 3,
      last: { start: '2026-12-01T10:00:00Z', end: '2026-12-01T10:00:01Z', exitCode: 1, output: 'refused\n' },
    },
    log: null,
  };
  t.deepEqual(probeLines(probe, now), [
    'exec `wget -q localhost`: unhealthy, failing 3 in a row; last at 10:00:01: exit code 1 refused',
  ]);
});

test('a log probe reads its pattern, window and last match; "unhealthy until" only while it holds', (t) => {
  const log = {
    pattern: 'FATAL',
    windowSeconds: 60,
    lastMatch: { at: '2026-12-01T10:00:10Z', line: 'FATAL db gone' },
    unhealthyUntil: '2026-12-01T10:01:10Z',
  };
  const probe: ProbeView = { status: 'unhealthy', exec: null, log };
  t.deepEqual(probeLines(probe, now), [
    'log /FATAL/ within 60 s: last match at 10:00:10: FATAL db gone; unhealthy until 10:01:10',
  ]);
  t.deepEqual(probeLines(probe, Date.parse('2026-12-01T10:02:00Z')), [
    'log /FATAL/ within 60 s: last match at 10:00:10: FATAL db gone',
  ]);
  t.deepEqual(probeLines({ status: 'starting', exec: null, log: { ...log, lastMatch: null, unhealthyUntil: null } }), [
    'log /FATAL/ within 60 s: no match yet',
  ]);
});

test('an exec probe not run yet says so; where the health comes from is said in words', (t) => {
  const probe: ProbeView = {
    status: 'starting',
    exec: { command: ['true'], status: 'starting', failingStreak: 0, last: null },
    log: null,
  };
  t.deepEqual(probeLines(probe, now), ['exec `true`: starting; not run yet']);
  t.is(healthSourceText('probe'), "health from vigil's probes (vigil.probe.* labels)");
  t.is(healthSourceText('healthcheck'), 'health from its HEALTHCHECK');
});
