import test from 'ava';
import { boundedRead, streamSignal } from '../../src/docker/engine-timeouts.js';

/** A call to an engine that never answers: it ends only when its signal aborts, with the abort's error. */
const hung = ({ abortSignal }: { abortSignal: AbortSignal }) =>
  new Promise<never>((_, reject) =>
    abortSignal.addEventListener('abort', () => reject(new Error('The operation was aborted')), { once: true }),
  );

/** AbortSignal.timeout's timer is unref'd: something must hold the worker's loop open while it runs. */
const holdLoop = (t: { teardown(fn: () => void): void }) => {
  const timer = setInterval(() => undefined, 1000);
  t.teardown(() => clearInterval(timer));
};

test('a read the engine never answers ends at its bound, said as the engine not answering', async (t) => {
  holdLoop(t);
  const err = await t.throwsAsync(boundedRead(hung, undefined, 20));
  t.is(err.message, 'the engine did not answer within 0.02 s');
  t.is((err as { code?: string }).code, 'ETIMEDOUT');
});

test("a read its caller gave up on ends with the caller's abort, not a timeout", async (t) => {
  const caller = new AbortController();
  const read = boundedRead(hung, caller.signal, 60_000);
  caller.abort();
  const err = await t.throwsAsync(read);
  t.is(err.message, 'The operation was aborted');
  t.is((err as { code?: string }).code, undefined);
});

test('a stream is bounded until the engine answers, and only by its caller after', async (t) => {
  holdLoop(t);
  const unanswered = streamSignal(new AbortController().signal, 20);
  await new Promise((resolve) => unanswered.signal.addEventListener('abort', resolve, { once: true }));
  t.is((unanswered.signal.reason as Error).name, 'TimeoutError');

  const caller = new AbortController();
  const answered = streamSignal(caller.signal, 20);
  answered.answered();
  // past the bound, a timer later than it has fired: the stream still stands
  await new Promise((resolve) => setTimeout(resolve, 60));
  t.false(answered.signal.aborted);
  caller.abort(new Error('client went'));
  t.is((answered.signal.reason as Error).message, 'client went');
});
