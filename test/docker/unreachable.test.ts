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

const quick = { connected: false, timedOut: false };
const verdicts: [string, unknown, { connected: boolean; timedOut: boolean }, NewConnectionVerdict][] = [
  ['the socket file is gone (dockerd closed its listener)', err({ code: 'ENOENT' }), quick, 'refused'],
  ['the port refuses (dockerd over TCP closed its listener)', err({ code: 'ECONNREFUSED' }), quick, 'refused'],
  ['a wrapped refusal', err({ message: 'request failed', cause: err({ code: 'ECONNREFUSED' }) }), quick, 'refused'],
  [
    'a socket proxy in front says its upstream is gone',
    err({ message: 'bad gateway', statusCode: 502 }),
    quick,
    'refused',
  ],
  [
    "made, and no answer in time: a socket another process holds (systemd's docker.socket)",
    err({ name: 'AbortError', code: 'ABORT_ERR' }),
    { connected: true, timedOut: true },
    'unanswered',
  ],
  ['never made in time', err({ name: 'AbortError' }), { connected: false, timedOut: true }, 'unknown'],
  ['a throttling proxy (503)', err({ message: 'unavailable', statusCode: 503 }), quick, 'unknown'],
  [
    'made, then hung up on: dockerd closing behind a held socket (seen on the real engine)',
    err({ message: 'read ECONNRESET', code: 'ECONNRESET' }),
    { connected: true, timedOut: false },
    'unanswered',
  ],
  ['a reset before any connection was made', err({ message: 'socket hang up', code: 'ECONNRESET' }), quick, 'unknown'],
  ['the engine answered 500', err({ message: 'server error', statusCode: 500 }), quick, 'unknown'],
  ['not an error at all', 'ECONNREFUSED', quick, 'unknown'],
];
for (const [title, value, how, verdict] of verdicts) {
  test(`a new connection's failure: ${title} → ${verdict}`, (t) => t.is(newConnectionVerdict(value, how), verdict));
}
