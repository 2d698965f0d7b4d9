import FakeTimers, { type Clock } from '@sinonjs/fake-timers';

/**
 * Fakes the timers and Date that vigil's parts use, globally (so every test using it runs serially),
 * starting at `now`; uninstall it in the test's teardown.
 */
export function installFakeClock(now = Date.parse('2026-11-23T12:00:00Z')): Clock {
  return FakeTimers.install({ now, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
}
