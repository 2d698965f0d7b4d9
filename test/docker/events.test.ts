import test from 'ava';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { EngineEvents } from '../../src/docker/events.js';
import { installFakeClock } from '../helpers/fake-clock.js';
import { FakeEngine } from '../helpers/fake-engine.js';

test.serial(
  'no engine at start: said once, with what to do, then quietly until it answers; a loss later is said once again',
  async (t) => {
    const clock = installFakeClock();
    t.teardown(() => clock.uninstall());
    const lines: { level: number; msg: string; hint?: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as (typeof lines)[number]);
        done();
      },
    });
    const engine = new FakeEngine();
    engine.shutDown();
    const events = new EngineEvents(engine, pino({ level: 'debug' }, sink), {
      reconnect: { initialMs: 250, maxMs: 1000 },
      watchdogIntervalMs: 60_000,
      unreachableHint: 'try npm run demo',
    });
    events.start();
    await clock.tickAsync(20_000);
    const warnings = () => lines.filter((l) => l.level >= 40);
    t.is(warnings().length, 1);
    t.is(warnings()[0]!.msg, 'no Docker engine answers; vigil keeps trying');
    t.is(warnings()[0]!.hint, 'try npm run demo');
    t.true(
      lines.filter((l) => l.msg === 'engine still unreachable; retrying').length >= 10,
      'the retries are there, at debug',
    );

    engine.startUp();
    await clock.tickAsync(2000);
    t.true(events.connected);
    engine.shutDown();
    await clock.tickAsync(20_000);
    t.deepEqual(
      warnings().map((l) => l.msg),
      ['no Docker engine answers; vigil keeps trying', 'engine event stream lost; reconnecting'],
    );
    const stopping = events.stop();
    await clock.tickAsync(2000);
    await stopping;
  },
);

test.serial('resumed from the last event handled, the stream first delivers what the engine did since', async (t) => {
  const clock = installFakeClock();
  t.teardown(() => clock.uninstall());
  const engine = new FakeEngine();
  const before = new EngineEvents(engine, pino({ level: 'silent' }));
  before.start();
  await clock.tickAsync(10);
  engine.run('handled');
  await clock.tickAsync(10);
  // what the cursor store keeps: the last event vigil handled before it stopped
  const cursor = before.lastEventTimeNano;
  await before.stop();
  t.not(cursor, null);
  const whileAway = engine.run('while-away');
  engine.exit(whileAway, 3);
  const events = new EngineEvents(engine, pino({ level: 'silent' }));
  const seen: string[] = [];
  events.on('event', (e) => seen.push(`${e.name} ${e.action}`));
  events.resumeFrom(cursor! + 1n);
  events.start();
  t.throws(() => events.resumeFrom(1n), { message: /before start/ });
  await clock.tickAsync(100);
  t.deepEqual(seen, ['while-away create', 'while-away start', 'while-away die']);
  await events.stop();
});
