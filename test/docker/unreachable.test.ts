import test from 'ava';
import { engineWentAway, newConnectionVerdict, type NewConnectionVerdict } from '../../src/docker/unreachable.js';

const err = (fields: { message?: string; [k: string]: unknown }) =>
  Object.assign(new Error(fields.message ?? 'x'), fields);

const rows: [string, unknown, boolean][] = [
  ['the socket hung up midway (engine SIGKILLed)', err({ message: 'socket hang up', code: 'ECONNRESET' }), true],
  [
    'the engine refuses connections',
    err({ message: 'connect ECONNREFUSED 127.0.0.1:2375', code: 'ECONNREFUSED' }),
    true,
  ],
  ['the socket file is gone', err({ message: 'connect ENOENT /run/docker.sock', code: 'ENOENT' }), true],
  ['a hang-up with no code', err({ message: 'socket hang up' }), true],
  ['a wrapped cause', err({ message: 'request failed', cause: err({ code: 'EPIPE' }) }), true],
  ['the engine answered 500', err({ message: 'server error', statusCode: 500, code: 'ECONNRESET' }), false],
  ['the engine answered 404', err({ message: 'no such container', statusCode: 404 }), false],
  ['the image is missing', err({ message: 'No such image: x' }), false],
  ['not an error at all', 'ECONNREFUSED', false],
  ['null', null, false],
];
for (const [title, value, gone] of rows) {
  test(`engine went away: ${title} → ${gone}`, (t) => t.is(engineWentAway(value), gone));
}

const verdicts: [string, unknown, NewConnectionVerdict][] = [
  ['the socket file is gone (dockerd closed its listener)', err({ code: 'ENOENT' }), 'refused'],
  ['the port refuses (dockerd over TCP closed its listener)', err({ code: 'ECONNREFUSED' }), 'refused'],
  ['a socket proxy in front says its upstream is gone', err({ message: 'bad gateway', statusCode: 502 }), 'refused'],
  ['a socket proxy says the engine is unavailable', err({ message: 'unavailable', statusCode: 503 }), 'refused'],
  [
    'the ping timed out (a busy engine)',
    err({ name: 'TimeoutError', message: 'The operation was aborted' }),
    'unknown',
  ],
  ['the engine answered 500', err({ message: 'server error', statusCode: 500 }), 'unknown'],
  ['not an error at all', 'ECONNREFUSED', 'unknown'],
];
for (const [title, value, verdict] of verdicts) {
  test(`a new connection's failure: ${title} → ${verdict}`, (t) => t.is(newConnectionVerdict(value), verdict));
}
