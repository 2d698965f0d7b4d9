import test from 'ava';
import { bootNoticeWanted, bootSentence, bootSummary } from '../../../src/recovery/boot/boot-report.js';
import { notificationFor } from '../../../src/notify/message.js';

const c = (name: string, state: string, desired?: 'running' | 'stopped') => ({ name, state, desired });

test('the summary: should-run, running by restart policy, started by vigil, left stopped, not back and why', (t) => {
  const s = bootSummary(
    [
      c('a', 'running', 'running'),
      c('b', 'running'),
      c('c', 'exited', 'running'),
      c('d', 'exited', 'running'),
      c('e', 'exited', 'stopped'),
      c('f', 'exited', 'running'),
      c('g', 'exited'),
    ],
    ['c'],
    [{ name: 'd', reason: 'no such image' }],
    [],
  );
  t.deepEqual(s, {
    shouldRun: 5,
    running: 3,
    byRestartPolicy: 2,
    startedByVigil: 1,
    leftStopped: 1,
    notBack: [
      { name: 'd', reason: 'no such image' },
      { name: 'f', reason: 'went down after the engine was back; the medic handles it as any crash' },
    ],
  });
  t.is(
    bootSentence('engine', '2026-12-01T23:00:00.000Z', s),
    'engine back at 2026-12-01T23:00:00.000Z: 3 of 5 should-run containers running, 2 by their restart policy, 1 started by vigil; 1 left stopped as people asked; 2 not back',
  );
});

test('the sentence when the engine brought everything back and vigil started nothing', (t) => {
  const s = bootSummary([c('a', 'running', 'running'), c('b', 'running', 'running')], [], [], []);
  t.is(
    bootSentence('host', 'T', s),
    'host back at T: 2 of 2 should-run containers running, 2 by their restart policy, 0 started by vigil; none left stopped by a person',
  );
});

test('a notice after every engine or host restart; after a plain vigil start only when it acted', (t) => {
  t.true(bootNoticeWanted('engine-restart', false, 0, 0));
  t.true(bootNoticeWanted('vigil-start', true, 0, 0));
  t.true(bootNoticeWanted('vigil-start', false, 1, 0));
  t.true(bootNoticeWanted('vigil-start', false, 0, 1));
  t.false(bootNoticeWanted('vigil-start', false, 0, 0));
});

test('the notification: the sentence, what vigil started, what is not back and why', (t) => {
  const summary = bootSummary(
    [c('a', 'running', 'running'), c('c', 'exited', 'running'), c('d', 'exited', 'running')],
    ['c'],
    [{ name: 'd', reason: 'no such image' }],
    [],
  );
  const n = notificationFor({
    id: 4,
    type: 'recovery.boot',
    time: 'x',
    data: {
      ...{
        trigger: 'engine-restart',
        restarted: 'engine',
        at: 'T',
        recovered: ['c'],
        failed: [{ name: 'd', reason: 'no such image' }],
      },
      ...{ skipped: [], summary, sentence: bootSentence('engine', 'T', summary) },
    },
  })!;
  t.is(n.event, 'boot_recovery');
  t.is(n.severity, 'critical');
  t.is(n.title, 'Engine back: 2 of 3 should-run containers running');
  t.is(
    n.text,
    [
      'engine back at T: 2 of 3 should-run containers running, 1 by their restart policy, 1 started by vigil; none left stopped by a person; 1 not back.',
      '  started c',
      '  not back: d: no such image',
    ].join('\n'),
  );
  const quiet = bootSummary([c('a', 'running', 'running')], [], [], []);
  const info = notificationFor({
    id: 5,
    type: 'recovery.boot',
    time: 'x',
    data: {
      trigger: 'engine-restart',
      restarted: 'engine',
      at: 'T',
      recovered: [],
      failed: [],
      skipped: [],
      summary: quiet,
      sentence: bootSentence('engine', 'T', quiet),
    },
  })!;
  t.is(info.severity, 'info', 'told even when vigil started nothing');
});
