import test from 'ava';
import { historyLines, readHistory } from '../../web/src/history.js';

test('the history answer read field by field: the daily scores by their date, 0..1', (t) => {
  const h = readHistory({
    dailyHealthScore: [
      { date: '2026-12-01', score: 0.5 },
      { day: '2026-12-02', score: 1 },
      { date: '2026-12-03', score: null },
    ],
    trend: 'stable',
  });
  t.deepEqual(h.dailyHealthScore, [
    { date: '2026-12-01', score: 0.5 },
    { date: '2026-12-03', score: null },
  ]);
  t.is(h.trend, 'stable');
  t.deepEqual(readHistory(null).dailyHealthScore, []);
});

test('what happened, newest first, each with who asked: the page, the API or the medic', (t) => {
  const lines = historyLines(
    readHistory({
      intents: [
        { at: '2026-12-01T10:00:00.000Z', desired: 'stopped', by: 'page' },
        { at: '2026-12-01T09:00:00.000Z', desired: 'running', reason: 'seen started' },
      ],
      actions: [
        {
          at: '2026-12-01T10:05:00.000Z',
          action: 'restart',
          outcome: 'success',
          reason: 'asked by a person (page)',
          by: 'page',
        },
        { at: '2026-12-01T10:02:00.000Z', action: 'restart', outcome: 'failure', reason: 'crashed (exit code 1)' },
      ],
    }),
  );
  t.deepEqual(
    lines.map((l) => l.text),
    [
      'restart success · asked by page',
      'restart failure — crashed (exit code 1) · asked by medic',
      'to be stopped: asked by page',
      'meant to run: seen started',
    ],
  );
});
