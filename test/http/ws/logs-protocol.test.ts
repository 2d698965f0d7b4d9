import test from 'ava';
import { parseClientMessage } from '../../../src/http/ws/protocol.js';

test('a logs subscription names its containers and a tail; a bad tail is a problem naming tail', (t) => {
  const ok = parseClientMessage('{"type":"subscribe","topics":["logs"],"containers":["web","4f2a"],"tail":50}');
  t.deepEqual(ok, {
    ok: true,
    message: { type: 'subscribe', topics: ['logs'], containers: ['web', '4f2a'], tail: 50 },
  });
  for (const tail of ['-1', '1.5', '"ten"', '1000000']) {
    const bad = parseClientMessage(`{"type":"subscribe","topics":["logs"],"containers":["web"],"tail":${tail}}`);
    t.false(bad.ok);
    if (!bad.ok) t.regex(bad.problem, /^tail: /);
  }
});
