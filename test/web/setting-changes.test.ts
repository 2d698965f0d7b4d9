import test from 'ava';
import { changeOf, toggled } from '../../web/src/setting-changes.js';

test('a field set on the page is a change of that one value; null gives it back to the label or file', (t) => {
  t.deepEqual(changeOf('cpu.warn', 30), { cpu: { warn: 30 } });
  t.deepEqual(changeOf('memory.crit', null), { memory: { crit: null } });
  t.deepEqual(changeOf('sustainSeconds', 10), { sustainSeconds: 10 });
});

test("a channel's events: ticking adds in the schema's order, unticking the last gives every event (null)", (t) => {
  t.deepEqual(toggled(null, 'crash'), ['crash']);
  t.deepEqual(toggled(['spike'], 'unhealthy'), ['unhealthy', 'spike']);
  t.is(toggled(['crash'], 'crash'), null);
});
