import test from 'ava';
import fc from 'fast-check';
import { exitCauses } from '../../src/containers/health.js';
import { containerStates, healthStatuses } from '../../src/docker/types.js';
import { notificationFor } from '../../src/notify/message.js';
import { recoveryActions, type RecoveryAction } from '../../src/recovery/decisions/policy.js';
import type { SpikeLevel } from '../../src/resources/spikes.js';
import type { EventOfType, VigilEvent, VigilEventType } from '../../src/streams/events.js';

// Every message builder (src/notify/messages/) over events of every type as the types allow them:
// optional fields absent or present, nulls where a null is allowed. Nothing a person reads may show
// a value that was not there.

/** What a person must never read in a message: a template string filled with a missing value. */
const untruth = /undefined|null|NaN|\[object/;

/** Free text (names, reasons, outputs) that does not itself say one of the words looked for. */
const text = fc.string({ maxLength: 30 }).filter((s) => !untruth.test(s));
const name = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,20}$/).filter((s) => !untruth.test(s));
const count = fc.nat({ max: 1000 });
const percent = fc.double({ min: 0, max: 400, noNaN: true });
const iso = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z') })
  .map((d) => d.toISOString());
const container = fc.record({ id: fc.hexaString({ minLength: 12, maxLength: 12 }), name });
const incident = fc.record({ id: fc.hexaString({ minLength: 8, maxLength: 8 }), seq: count, subject: text });
const level = fc.constantFrom<SpikeLevel>('normal', 'warning', 'critical');
const spikeChange = {
  level,
  previous: level,
  warn: count,
  crit: count,
  forSeconds: count,
  notify: fc.boolean(),
};
const named = fc.record({ name, reason: text });

/** The envelope the bus gives every event, with or without a host and an incident. */
function envelope<T extends VigilEventType>(
  type: T,
  data: fc.Arbitrary<EventOfType<T>['data']>,
  about: 'container' | 'none' | 'either',
) {
  const containerArb =
    about === 'container'
      ? container
      : about === 'none'
        ? fc.constant(undefined)
        : fc.option(container, { nil: undefined });
  return fc
    .record({
      id: fc.nat(),
      time: iso,
      host: fc.option(name, { nil: undefined }),
      incident: fc.option(incident, { nil: undefined }),
      container: containerArb,
      data,
    })
    .map(({ host, incident: inc, container: c, ...rest }) => ({
      type,
      ...rest,
      ...(host !== undefined ? { host } : {}),
      ...(inc !== undefined ? { incident: inc } : {}),
      ...(c !== undefined ? { container: c } : {}),
    })) as unknown as fc.Arbitrary<EventOfType<T>>;
}

type Data<T extends VigilEventType> = EventOfType<T>['data'];
/** The fields of a data type that may be absent. */
type OptionalKeys<D> = { [K in keyof D]-?: undefined extends D[K] ? K : never }[keyof D];
/** An arbitrary for each field, of the field's own type: a field renamed or retyped in events.ts fails here. */
type Model<D> = { [K in Exclude<keyof D, OptionalKeys<D>>]-?: fc.Arbitrary<D[K]> } & {
  [K in OptionalKeys<D>]?: fc.Arbitrary<Exclude<D[K], undefined>>;
};

/** The data of one event type; the optional fields named present or absent. */
function dataOf<T extends VigilEventType>(
  _type: T,
  model: Model<Data<T>>,
  optional: OptionalKeys<Data<T>>[] = [],
): fc.Arbitrary<Data<T>> {
  const requiredKeys = Object.keys(model).filter((k) => !(optional as string[]).includes(k));
  // Model<> checked each field's type; fc.record cannot carry that through a mapped type
  return fc.record(model as Record<string, fc.Arbitrary<unknown>>, { requiredKeys }) as unknown as fc.Arbitrary<
    Data<T>
  >;
}

/** One arbitrary per event type: a type added to VigilEvent and missing here fails the type check. */
const arbitraries: { [T in VigilEventType]: fc.Arbitrary<EventOfType<T>> } = {
  'container.state': envelope(
    'container.state',
    dataOf(
      'container.state',
      {
        from: fc.option(fc.constantFrom(...containerStates), { nil: null }),
        to: fc.constantFrom(...containerStates, 'removed' as const),
        exitCode: fc.option(fc.integer({ min: 0, max: 255 }), { nil: null }),
        oomKilled: fc.boolean(),
        cause: fc.constantFrom(...exitCauses),
      },
      ['exitCode', 'oomKilled', 'cause'],
    ),
    'container',
  ),
  'container.health': envelope(
    'container.health',
    dataOf(
      'container.health',
      {
        from: fc.option(fc.constantFrom(...healthStatuses), { nil: null }),
        to: fc.option(fc.constantFrom(...healthStatuses), { nil: null }),
        source: fc.constantFrom('healthcheck', 'probe', 'state' as const),
        failingStreak: count,
        lastOutput: text,
        reason: text,
      },
      ['failingStreak', 'lastOutput', 'reason'],
    ),
    'container',
  ),
  alert: envelope(
    'alert',
    dataOf(
      'alert',
      {
        status: fc.constantFrom('firing', 'resolved' as const),
        alertname: name,
        severity: fc.constantFrom('critical', 'warning', 'info' as const),
        fingerprint: fc.hexaString({ minLength: 1, maxLength: 16 }),
        startsAt: iso,
        summary: text,
        description: text,
        labels: fc.dictionary(name, text, { maxKeys: 3 }),
        vigil: fc.record({ action: fc.option(fc.constantFrom(...recoveryActions), { nil: null }), note: text }),
        containerRef: name,
      },
      ['containerRef'],
    ),
    'either',
  ),
  'alert.acknowledged': envelope(
    'alert.acknowledged',
    dataOf('alert.acknowledged', {
      fingerprint: text,
      alertname: name,
      by: text,
      silenceId: fc.option(text, { nil: null }),
    }),
    'none',
  ),
  'recovery.started': envelope(
    'recovery.started',
    dataOf('recovery.started', { action: fc.constantFrom(...recoveryActions), reason: text }),
    'container',
  ),
  'recovery.action': envelope(
    'recovery.action',
    fc.oneof(
      // the medic's: counted or not, after a restart or a dependency
      dataOf(
        'recovery.action',
        {
          action: fc.constantFrom(...recoveryActions),
          reason: text,
          outcome: fc.constantFrom('success', 'failure' as const),
          error: text,
          counted: fc.boolean(),
          attempt: count,
          interrupted: text,
          trigger: fc.constantFrom('vigil-start', 'engine-restart', 'dependency' as const),
          nextAllowedAt: iso,
          ms: count,
        },
        ['error', 'interrupted', 'trigger'],
      ),
      // a person's, through the API or the page: who asked, never an attempt
      dataOf(
        'recovery.action',
        {
          action: fc.constantFrom('stop', 'start', 'restart' as const),
          reason: text,
          outcome: fc.constantFrom('success', 'failure' as const),
          error: text,
          counted: fc.constant(false),
          by: fc.constantFrom('api', 'page' as const),
        },
        ['error'],
      ),
    ),
    'container',
  ),
  'recovery.gave_up': envelope(
    'recovery.gave_up',
    dataOf('recovery.gave_up', { reason: text, attempts: count }),
    'container',
  ),
  'recovery.report': envelope('recovery.report', dataOf('recovery.report', { reason: text }), 'container'),
  'recovery.skipped': envelope('recovery.skipped', dataOf('recovery.skipped', { reason: text }), 'container'),
  'recovery.cleanup': envelope(
    'recovery.cleanup',
    dataOf('recovery.cleanup', {
      action: fc.constant('cleanup' as const),
      reason: text,
      exitCode: fc.option(fc.integer({ min: 0, max: 255 }), { nil: null }),
      logLines: count,
    }),
    'container',
  ),
  'recovery.boot': envelope(
    'recovery.boot',
    dataOf('recovery.boot', {
      trigger: fc.constantFrom('vigil-start', 'engine-restart' as const),
      restarted: fc.constantFrom('engine', 'host', 'vigil' as const),
      at: iso,
      recovered: fc.array(name, { maxLength: 3 }),
      failed: fc.array(named, { maxLength: 3 }),
      skipped: fc.array(named, { maxLength: 3 }),
      summary: fc.record({
        shouldRun: count,
        running: count,
        byRestartPolicy: count,
        startedByVigil: count,
        leftStopped: count,
        notBack: fc.array(named, { maxLength: 3 }),
      }),
      sentence: text,
    }),
    'none',
  ),
  'recovery.dependants': envelope(
    'recovery.dependants',
    dataOf('recovery.dependants', {
      steps: fc.array(
        fc.record({
          name,
          action: fc.constantFrom<RecoveryAction | 'none'>(...recoveryActions, 'none'),
          outcome: fc.constantFrom('success', 'failure', 'skipped' as const),
          reason: text,
        }),
        { maxLength: 4 },
      ),
    }),
    'container',
  ),
  'recovery.cycle': envelope(
    'recovery.cycle',
    dataOf('recovery.cycle', { cycle: fc.array(name, { minLength: 2, maxLength: 4 }) }),
    'container',
  ),
  'incident.closed': envelope(
    'incident.closed',
    dataOf('incident.closed', {
      id: fc.hexaString({ minLength: 8, maxLength: 8 }),
      outcome: fc.constantFrom('recovered', 'gave_up', 'removed' as const),
      durationSeconds: fc.double({ min: 0, max: 1e6, noNaN: true }),
      steps: count,
    }),
    'container',
  ),
  'resource.spike': envelope(
    'resource.spike',
    dataOf('resource.spike', { ...spikeChange, resource: fc.constantFrom('cpu', 'memory' as const), percent }),
    'container',
  ),
  'resource.normal': envelope(
    'resource.normal',
    dataOf('resource.normal', { ...spikeChange, resource: fc.constantFrom('cpu', 'memory' as const), percent }),
    'container',
  ),
  'host.spike': envelope(
    'host.spike',
    dataOf('host.spike', {
      ...spikeChange,
      resource: fc.constantFrom('cpu', 'memory', 'queue' as const),
      value: percent,
    }),
    'none',
  ),
  'host.normal': envelope(
    'host.normal',
    dataOf('host.normal', {
      ...spikeChange,
      resource: fc.constantFrom('cpu', 'memory', 'queue' as const),
      value: percent,
    }),
    'none',
  ),
};

const anyEvent: fc.Arbitrary<VigilEvent> = fc.oneof(...(Object.values(arbitraries) as fc.Arbitrary<VigilEvent>[]));

test('no message of any event shows undefined, null, NaN or [object …]', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(anyEvent, (event) => {
        const n = notificationFor(event, { grafanaUrl: 'http://127.0.0.1:3000' });
        if (n === null) return;
        for (const part of [n.title, n.text, n.key, ...n.links.map((l) => l.label)]) {
          if (untruth.test(part)) throw new Error(`${event.type} says ${JSON.stringify(part)}`);
        }
      }),
      { numRuns: 3000 },
    ),
  );
});

test('every event type is generated: the property covers each builder', (t) => {
  const seen = new Set(fc.sample(anyEvent, 2000).map((e) => e.type));
  t.deepEqual([...seen].sort(), Object.keys(arbitraries).sort());
});
