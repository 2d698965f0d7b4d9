import test from 'ava';
import fc from 'fast-check';
import {
  CHANNEL_THRESHOLDS,
  channelCounts,
  channelStatus,
  channelTrend,
  type ChannelStatus,
  type ChannelTrend,
} from '../../src/notify/channel-status.js';

const now = Date.parse('2026-12-01T12:00:00Z');
const min = 60_000;
const ok = (n: number) => Array<boolean>(n).fill(true);
const bad = (n: number) => Array<boolean>(n).fill(false);

const statusCases: [string, boolean[], number | null, ChannelStatus][] = [
  ['never tried', [], null, 'healthy'],
  ['every attempt delivered', ok(20), now - min, 'healthy'],
  ['one old failure in twenty (5 %)', [false, ...ok(19)], now - min, 'healthy'],
  ['two failures in twenty (10 %), the latest delivered', [false, false, ...ok(18)], now - min, 'degraded'],
  ['the latest attempt failed', [...ok(19), false], now - min, 'degraded'],
  ['two failures in a row, latest', [...ok(18), false, false], now - min, 'degraded'],
  ['three failures in a row, latest', [...ok(17), ...bad(3)], now - min, 'error'],
  ['half of the attempts failed', [...bad(10), ...ok(10)], now - min, 'error'],
  ['the only attempt failed, nothing ever delivered', [false], null, 'error'],
  ['failing for an hour since the last delivery', [...ok(19), false], now - 61 * min, 'error'],
  ['an hour since the last delivery, but it delivers now', ok(20), now - 61 * min, 'healthy'],
];
for (const [title, outcomes, lastSuccessAt, expected] of statusCases) {
  test(`channel status: ${title} is ${expected}`, (t) => {
    t.is(channelStatus({ outcomes, lastSuccessAt }, now), expected);
  });
}

const trendCases: [string, boolean[], ChannelTrend][] = [
  ['under four attempts', [false, true, true], 'stable'],
  ['all delivered', ok(20), 'stable'],
  ['failing at first, delivering since', [...bad(10), ...ok(10)], 'improving'],
  ['delivering at first, failing since', [...ok(10), ...bad(10)], 'declining'],
  ['one failure in each half', [false, ...ok(9), false, ...ok(9)], 'stable'],
];
for (const [title, outcomes, expected] of trendCases) {
  test(`channel trend: ${title} is ${expected}`, (t) => {
    t.is(channelTrend(outcomes), expected);
  });
}

const record = fc.record({
  outcomes: fc.array(fc.boolean(), { maxLength: 40 }),
  lastSuccessAt: fc.option(fc.integer({ min: now - 86_400_000, max: now })),
});

test('channel status: the latest failures never make it better, a success never makes it worse', (t) => {
  const rank = { healthy: 0, degraded: 1, error: 2 };
  t.notThrows(() =>
    fc.assert(
      fc.property(record, (r) => {
        const before = rank[channelStatus(r, now)];
        const afterFailure = rank[channelStatus({ ...r, outcomes: [...r.outcomes, false] }, now)];
        const afterSuccess = rank[channelStatus({ outcomes: [...r.outcomes, true], lastSuccessAt: now }, now)];
        // the window slides: an old failure leaving it may be the only change, so compare with the window's end
        return afterFailure >= 1 && (afterSuccess <= before || r.outcomes.length >= CHANNEL_THRESHOLDS.window);
      }),
    ),
  );
});

test('channel status: only the last window of attempts counts', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(record, fc.array(fc.boolean(), { maxLength: 40 }), (r, older) => {
        const longer = { ...r, outcomes: [...older, ...r.outcomes] };
        if (r.outcomes.length < CHANNEL_THRESHOLDS.window) return true;
        return channelStatus(longer, now) === channelStatus(r, now);
      }),
    ),
  );
});

test('channel trend: reversing the outcomes reverses the trend', (t) => {
  const opposite = { improving: 'declining', declining: 'improving', stable: 'stable' };
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 0, maxLength: 20 }), (outcomes) => {
        // an odd count puts the middle attempt in the older half both ways: only even counts mirror exactly
        if (outcomes.length % 2 === 1) return true;
        return channelTrend([...outcomes].reverse()) === opposite[channelTrend(outcomes)];
      }),
    ),
  );
});

test('channel counts: the healthy of the total', (t) => {
  t.deepEqual(channelCounts([{ status: 'healthy' }, { status: 'error' }, { status: 'degraded' }]), {
    total: 3,
    healthy: 1,
  });
  t.deepEqual(channelCounts([]), { total: 0, healthy: 0 });
});
